package org.gntfs.fuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.gntfs.fuse.InProcessFs.errno;
import static org.gntfs.fuse.InProcessFs.fileInfo;
import static org.gntfs.fuse.InProcessFs.memory;
import static org.gntfs.fuse.InProcessFs.stat;
import static org.gntfs.fuse.InProcessFs.text;

import java.util.List;
import jnr.constants.platform.Errno;
import jnr.ffi.Pointer;
import org.gntfs.region.FailingBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.FuseFileInfo;
import ru.serce.jnrfuse.struct.Statvfs;

/** The adapter's callbacks called directly, without libfuse: what each answers, errno included. */
class GntFuseFsTest {
    private static final int O_RDWR = 2;
    private static final int REGULAR = FileStat.S_IFREG;

    @RegisterExtension
    final InProcessFs inProcess = new InProcessFs(16);

    private GntFuseFs fs() {
        return inProcess.fs();
    }

    private FuseFileInfo create(String path) {
        FuseFileInfo fi = fileInfo(O_RDWR);
        assertThat(fs().create(path, REGULAR | 0640, fi)).isZero();
        return fi;
    }

    private int write(String path, String text, long offset, FuseFileInfo fi) {
        return fs().write(path, memory(text), text.length(), offset, fi);
    }

    private String read(String path, int length, long offset, FuseFileInfo fi) {
        Pointer buffer = memory(length);
        int count = fs().read(path, buffer, length, offset, fi);
        return count < 0 ? "errno " + -count : text(buffer, count);
    }

    @Test
    void aRegion_isCreatedWrittenReadTruncatedAndUnlinked_throughTheCallbacks() {
        FuseFileInfo fi = create("/r");
        assertThat(fi.fh.get()).isPositive();

        assertThat(write("/r", "hello", 4096, fi)).isEqualTo(5);
        FileStat stat = stat();
        assertThat(fs().getattr("/r", stat)).isZero();
        assertThat(stat.st_size.longValue()).isEqualTo(4101);
        assertThat(stat.st_blocks.longValue()).isEqualTo(16);
        assertThat(stat.st_mode.intValue()).isEqualTo(REGULAR | 0640);
        assertThat(stat.st_uid.intValue()).isEqualTo(InProcessFs.CALLER_UID);
        assertThat(stat.st_gid.intValue()).isEqualTo(InProcessFs.CALLER_GID);
        assertThat(read("/r", 5, 4096, fi)).isEqualTo("hello");
        assertThat(read("/r", 3, 0, fi)).isEqualTo("\0\0\0");
        assertThat(read("/r", 100, 4099, fi)).isEqualTo("lo");
        assertThat(inProcess.grantsInUse()).isEqualTo(2);

        assertThat(fs().truncate("/r", 4098)).isZero();
        assertThat(read("/r", 10, 4096, fi)).isEqualTo("he");
        assertThat(fs().ftruncate("/r", 3, fi)).isZero();
        assertThat(inProcess.grantsInUse()).isEqualTo(1);

        assertThat(fs().unlink("/r")).isZero();
        assertThat(fs().getattr("/r", stat())).isEqualTo(errno(Errno.ENOENT));
        FileStat open = stat();
        assertThat(fs().fgetattr(null, open, fi)).isZero();
        assertThat(open.st_nlink.intValue()).isZero();
        assertThat(inProcess.grantsInUse()).isEqualTo(1);
        assertThat(fs().release(null, fi)).isZero();
        assertThat(inProcess.grantsInUse()).isZero();
        assertThat(read(null, 1, 0, fi)).isEqualTo("errno " + Errno.EBADF.intValue());
    }

    @Test
    void directoriesAndTheRoot_listTheirNames_andStatfsShowsThePool() {
        assertThat(fs().mkdir("/d", 0755)).isZero();
        create("/d/r");

        assertThat(inProcess.readdir("/")).containsExactly(".", "..", ".grants", "d");
        assertThat(inProcess.readdir("/d")).containsExactly(".", "..", "r");
        assertThat(inProcess.readdir("/d/r")).containsExactly("errno " + Errno.ENOTDIR.intValue());
        Statvfs pool = InProcessFs.statvfs();
        assertThat(fs().statfs("/", pool)).isZero();
        assertThat(pool.f_blocks.longValue()).isEqualTo(16);
        assertThat(pool.f_bfree.longValue()).isEqualTo(16);
        assertThat(pool.f_namemax.longValue()).isEqualTo(255);
    }

    @Test
    void faults_becomeTheirErrnos_andAnythingElseEio() {
        FuseFileInfo fi = create("/r");
        assertThat(fs().mkdir("/d", 0755)).isZero();
        assertThat(fs().create("/d/x", REGULAR | 0600, fileInfo(O_RDWR))).isZero();

        assertThat(fs().open("/missing", fileInfo(0))).isEqualTo(errno(Errno.ENOENT));
        assertThat(fs().ftruncate("/r", 0, fileInfo(O_RDWR))).as("no such handle").isEqualTo(errno(Errno.EBADF));
        assertThat(fs().create("/r", REGULAR | 0600, fileInfo(O_RDWR))).isEqualTo(errno(Errno.EEXIST));
        assertThat(fs().truncate("/d", 0)).isEqualTo(errno(Errno.EISDIR));
        assertThat(fs().rmdir("/d")).isEqualTo(errno(Errno.ENOTEMPTY));
        assertThat(fs().mkdir("/r/x", 0755)).isEqualTo(errno(Errno.ENOTDIR));
        assertThat(fs().mkdir("/" + "n".repeat(256), 0755)).isEqualTo(errno(Errno.ENAMETOOLONG));
        assertThat(fs().ftruncate("/r", 17 * 4096, fi)).isEqualTo(errno(Errno.ENOSPC));
        assertThat(fs().ftruncate("/r", 1L << 45, fi)).isEqualTo(errno(Errno.EFBIG));
        assertThat(fs().mknod("/fifo", FileStat.S_IFIFO | 0600, 0)).isEqualTo(errno(Errno.EPERM));
        assertThat(fs().link("/r", "/hard")).isEqualTo(errno(Errno.EPERM));
        assertThat(fs().getxattr("/r", "security.capability", memory(1), 0)).isEqualTo(errno(Errno.ENODATA));
        assertThat(fs().setxattr("/r", "user.gnt.domid", memory("x"), 1, 0)).isEqualTo(errno(Errno.EINVAL));
        assertThat(fs().getxattr("/r", "user.gnt.domid", memory(1), 0)).isEqualTo(1);
        assertThat(fs().getxattr("/r", "user.gnt.writable", memory(1), 1)).isEqualTo(1);
        assertThat(fs().listxattr("/r", memory(4), 4)).isEqualTo(errno(Errno.ERANGE));
        assertThat(fs().setxattr("/r", "trusted.x", memory("x"), 1, 0)).isEqualTo(errno(Errno.EOPNOTSUPP));
        inProcess.backend().fail(FailingBackend.Call.ALLOCATE);
        assertThat(write("/r", "x", 0, fi)).isEqualTo(errno(Errno.EIO));
        assertThat(fs().read("/r", memory(1), 1, -1, fi)).as("a bug").isEqualTo(errno(Errno.EIO));
    }

    @Test
    void aReleaseTheBackendFails_doesNotFailTheUnlink_andDfStillCountsThePages() {
        FuseFileInfo fi = create("/r");
        assertThat(write("/r", "x", 8191, fi)).isEqualTo(1);
        assertThat(fs().release("/r", fi)).isZero();
        inProcess.backend().fail(FailingBackend.Call.RELEASE);

        assertThat(fs().unlink("/r")).isZero();

        assertThat(fs().getattr("/r", stat())).isEqualTo(errno(Errno.ENOENT));
        Statvfs pool = InProcessFs.statvfs();
        assertThat(fs().statfs("/", pool)).isZero();
        assertThat(pool.f_bfree.longValue()).isEqualTo(14);
        assertThat(inProcess.tree().liveRegions()).hasSize(1);
    }
}
