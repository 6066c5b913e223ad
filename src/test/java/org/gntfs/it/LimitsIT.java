package org.gntfs.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.gntfs.Limits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Past each limit a call of another user fails with ENOSPC or EDQUOT, through real system calls,
 * and leaves nothing half made; {@code df -i} tells the inode limit.
 */
class LimitsIT {
    private static final int INODES = 12;
    private static final int ATTRIBUTE_BYTES_PER_UID = 10_000;
    private static final int GRANTS_PER_UID = 4;

    @RegisterExtension
    final MountedGntfs gntfs = MountedGntfs.limitedTo(new Limits(INODES, 1 << 20, ATTRIBUTE_BYTES_PER_UID, GRANTS_PER_UID));

    /** Run as uid 65534: one line per limit, the errno and what is left behind. */
    private static final String AS_NOBODY = RegionMountIT.PY + String.join("\n",
            "d = sys.argv[1]",
            "p = lambda name: os.path.join(d, name)",
            "def make(name):",
            "    os.close(os.open(p(name), os.O_CREAT | os.O_WRONLY, 0o644))",
            "made = 0",
            "while attempt(make, str(made)) == 'ok':",
            "    made += 1",
            "print('create', made, attempt(make, 'last'), os.path.exists(p('last')), attempt(os.mkdir, p('dir')),",
            "      os.path.exists(p('dir')))",
            "st = os.statvfs(d)",
            "print('df-i', st.f_files, st.f_ffree)",
            "os.unlink(p('0'))",
            "print('freed', os.statvfs(d).f_ffree, attempt(make, 'again'))",
            "print('xattr', attempt(os.setxattr, p('1'), 'user.a', b'x' * 6000),",
            "      attempt(os.setxattr, p('2'), 'user.b', b'y' * 6000), 'user.b' in os.listxattr(p('2')))",
            "print('grants', attempt(os.truncate, p('3'), 4 * 4096 + 1), os.stat(p('3')).st_size,",
            "      attempt(os.truncate, p('3'), 4 * 4096), os.stat(p('3')).st_size,",
            "      attempt(os.pwrite, os.open(p('4'), os.O_WRONLY), b'z', 0), os.stat(p('4')).st_size)");

    @Test
    void pastEachLimit_anotherUserGetsEnospcOrEdquot_andNothingIsHalfMade() {
        Proc.Result result = Proc.run(List.of(
                "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", SecurityIT.PYTHON, "-c", AS_NOBODY,
                gntfs.root().toString()));

        assertThat(result.exit()).as(result.err()).isZero();
        // The root and .grants hold two of the inodes.
        assertThat(result.out().lines()).containsExactly(
                "create 10 ENOSPC False ENOSPC False",
                "df-i 12 0",
                "freed 1 ok",
                "xattr ok EDQUOT False",
                "grants EDQUOT 0 ok 16384 EDQUOT 0");
        assertThat(gntfs.grantsInUse()).isEqualTo(GRANTS_PER_UID);
    }
}
