package org.gntfs.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code .grants} on a real mount, driven by other processes: every change is refused with the
 * documented errno, {@code stat} shows size 0 as /proc does, and readers get the whole report.
 */
class GrantsFileIT {
    @RegisterExtension
    final MountedGntfs gntfs = new MountedGntfs();

    @Test
    void everyChange_isRefused_andChangesNothing() {
        String out = Proc.python(RegionMountIT.PY + String.join("\n",
                "d = sys.argv[1]",
                "g, r = os.path.join(d, '.grants'), os.path.join(d, 'r')",
                "os.close(os.open(r, os.O_CREAT | os.O_RDWR, 0o600))",
                "os.setxattr(r, 'user.note', b'x')",
                "print('chmod', attempt(os.chmod, g, 0o666), 'chown', attempt(os.chown, g, 1000, 1000))",
                "print('utimes', attempt(os.utime, g, (1, 2)), 'truncate', attempt(os.truncate, g, 0))",
                "print('rename from', attempt(os.rename, g, os.path.join(d, 'moved')),"
                        + " 'rename onto', attempt(os.rename, r, g))",
                "print('setxattr', attempt(os.setxattr, g, 'user.note', b'x'),"
                        + " 'removexattr', attempt(os.removexattr, g, 'user.note'))",
                "print('write', attempt(os.open, g, os.O_WRONLY), 'rdwr', attempt(os.open, g, os.O_RDWR),"
                        + " 'trunc', attempt(os.open, g, os.O_WRONLY | os.O_TRUNC))",
                "print('unlink', attempt(os.unlink, g), 'link', attempt(os.link, g, os.path.join(d, 'hard')))",
                "st = os.stat(g)",
                "print(oct(st.st_mode), st.st_nlink, st.st_uid, int(st.st_mtime) > 2, sorted(os.listdir(d)),"
                        + " os.listxattr(g), os.getxattr(r, 'user.note'))"),
                gntfs.root()).assertOk().out();

        assertThat(out).isEqualTo(String.join("\n",
                "chmod EPERM chown EPERM",
                "utimes EPERM truncate EPERM",
                "rename from EPERM rename onto EPERM",
                "setxattr EPERM removexattr EPERM",
                "write EACCES rdwr EACCES trunc EACCES",
                "unlink EPERM link EPERM",
                "0o100444 1 0 True ['.grants', 'r'] [] b'x'",
                ""));
        assertThat(gntfs.tree().region("/r").isLinked()).isTrue();
    }

    @Test
    void stat_showsSize0_whileCatAndAReadLoopGetTheWholeReport() {
        StringBuilder expected = new StringBuilder("path\tdomid\tpages\taccess\tdirect\tgrefs\n");
        String name = "a-region-with-a-name-long-enough-to-need-more-than-one-page-of-report-";
        for (int i = 0; i < 80; i++) {
            expected.append(String.format("/%s%02d\t0\t1\trw\t0\t%d\n", name, i, 8 + i));
        }
        Proc.python(RegionMountIT.PY + String.join("\n",
                "for i in range(80):",
                "    fd = os.open(os.path.join(sys.argv[1], sys.argv[2] + '%02d' % i), os.O_CREAT | os.O_RDWR, 0o600)",
                "    os.ftruncate(fd, 4096)",
                "    os.close(fd)"),
                gntfs.root(), name).assertOk();
        String grants = gntfs.path(".grants").toString();

        String stat = Proc.run(List.of("stat", "-c", "%s %b %F", grants)).assertOk().out();
        String cat = Proc.run(List.of("cat", grants)).assertOk().out();
        String loop = Proc.python(RegionMountIT.PY + String.join("\n",
                "fd, chunks = os.open(sys.argv[1], os.O_RDONLY), []",
                "while True:",
                "    chunk = os.read(fd, 1000)",
                "    if not chunk: break",
                "    chunks.append(chunk)",
                "sys.stdout.write(b''.join(chunks).decode())"),
                grants).assertOk().out();

        assertThat(stat).isEqualTo("0 0 regular empty file\n");
        assertThat(expected.length()).isGreaterThan(4096);
        assertThat(cat).isEqualTo(expected.toString());
        assertThat(loop).isEqualTo(expected.toString());
    }
}
