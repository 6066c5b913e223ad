package org.gntfs.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A daemon whose heap fills up goes on serving: the requests that found no memory fail with
 * ENOMEM, every other call answers, the direct-mapping socket still maps, and the unmount is clean.
 */
class OutOfMemoryIT {
    /** Creates regions with a 60,000-byte attribute each until 20 calls have failed; prints their errnos. */
    private static final String FILL = RegionMountIT.PY + String.join("\n",
            "d = sys.argv[1]",
            "failed = {}",
            "for i in range(4000):",
            "    p = os.path.join(d, 'f%d' % i)",
            "    try:",
            "        os.close(os.open(p, os.O_CREAT | os.O_WRONLY, 0o644))",
            "        os.setxattr(p, 'user.fill', b'x' * 60000)",
            "    except OSError as e:",
            "        name = errno.errorcode[e.errno]",
            "        failed[name] = failed.get(name, 0) + 1",
            "        if sum(failed.values()) >= 20:",
            "            break",
            "print(' '.join(sorted(failed)))",
            "print(attempt(os.stat, p), attempt(os.listdir, d), attempt(lambda: open(os.path.join(d, '.grants')).read()))",
            "for name in os.listdir(d):",
            "    if name.startswith('f') and name != 'f0':",
            "        os.unlink(os.path.join(d, name))",
            "os.truncate(os.path.join(d, 'f0'), 4096)",
            "print(attempt(os.setxattr, os.path.join(d, 'f0'), 'user.again', b'y' * 1000))");

    @TempDir
    Path directory;

    private ScriptedMount mount;

    @AfterEach
    void cleanUp() throws Exception {
        mount.close();
    }

    @Test
    void aFullHeap_failsTheRequestsThatFoundIt_withEnomem_andTheMountGoesOn() throws Exception {
        mount = new ScriptedMount(directory);
        Path socket = Path.of(mount.mountPoint() + ".sock");
        // Attribute limits far above the heap: only the heap can stop the fill.
        mount.scriptWith(List.of("GNTFS_MAX_HEAP=48m"), mount.mountPoint().toString(),
                "--", "--xattr-bytes", "1073741824", "--xattr-bytes-per-uid", "1073741824").assertOk();

        Proc.Result fill = Proc.run(List.of(SecurityIT.PYTHON, "-c", FILL, mount.mountPoint().toString()));
        Proc.Result map = Proc.gntfsWithInput(new byte[0], "map", mount.mountPoint().resolve("f0"));
        long pid = mount.daemonPid();
        Proc.Result unmount = mount.script("-u", mount.mountPoint().toString());

        assertThat(fill.out().lines()).as(fill.err()).containsExactly("ENOMEM", "ok ok ok", "ok");
        assertThat(map.out()).as(map.err()).startsWith("size 4096\n");
        assertThat(unmount.exit()).as(unmount.err()).isZero();
        assertThat(ProcessHandle.of(pid)).isEmpty();
        assertThat(socket).doesNotExist();
        assertThat(Files.readString(mount.logFile())).contains("out of memory").doesNotContain("Exception in thread");
    }
}
