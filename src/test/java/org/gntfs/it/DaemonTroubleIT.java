package org.gntfs.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon in trouble. A daemon whose heap fills up goes on serving: the requests that found no
 * memory fail with ENOMEM, once memory is free again every call answers, the direct-mapping socket
 * still maps, and the unmount is clean. A daemon SIGKILLed leaves holders of files and mappings what docs/semantics.md
 * (Lifecycle, item 5) says, call by call, and the next fuse-mount.sh clears the dead mount.
 */
class DaemonTroubleIT {
    /**
     * Creates regions with a 60,000-byte attribute each until 20 calls have failed and prints their
     * errnos; then frees the memory again (unlinks all but one) and tries what the tree still offers.
     * While the heap is full any call that allocates may fail, which is luck of the collector; that
     * is why the listing is tried only after the unlinks.
     */
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
            "for k in range(1, i + 1):",
            "    if attempt(os.unlink, os.path.join(d, 'f%d' % k)) not in ('ok', 'ENOENT'):",
            "        print('unlink failed')",
            "os.truncate(os.path.join(d, 'f0'), 4096)",
            "print(attempt(os.stat, os.path.join(d, 'f0')), attempt(os.listdir, d), attempt(lambda: open(os.path.join(d, '.grants')).read()))",
            "print(attempt(os.setxattr, os.path.join(d, 'f0'), 'user.again', b'y' * 1000))");

    @TempDir
    Path directory;

    private ScriptedMount mount;

    @BeforeEach
    void paths() {
        mount = new ScriptedMount(directory);
    }

    @AfterEach
    void cleanUp() throws Exception {
        mount.close();
    }

    @Test
    void aFullHeap_failsTheRequestsThatFoundIt_withEnomem_andTheMountGoesOn() throws Exception {
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

    @Test
    void afterSigkill_cachedPagesStillRead_everythingElseIsEnotconnOrSigbus_andTheNextMountClearsIt() throws Exception {
        String mountPoint = mount.mountPoint().toString();
        mount.script(mountPoint).assertOk();
        Process holder = new ProcessBuilder(SecurityIT.PYTHON, Proc.script("daemon_death.py").toString(), mountPoint)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
        assertThat(out.readLine()).isEqualTo("ready");

        ProcessHandle daemon = ProcessHandle.of(mount.daemonPid()).orElseThrow();
        daemon.destroyForcibly();
        daemon.onExit().get(30, TimeUnit.SECONDS);
        try (Writer in = holder.outputWriter()) {
            in.write("go\n");
        }
        List<String> seen = out.lines().toList();
        assertThat(holder.waitFor(60, TimeUnit.SECONDS)).isTrue();

        assertThat(seen).containsExactly(
                "read-cached ok",
                "read-uncached ENOTCONN",
                "mmap-untouched SIGBUS",
                "mmap-store-touched ok",
                "msync ENOTCONN",
                "stat ENOTCONN",
                "open ENOTCONN",
                "close ok",
                "mmap-touched-here ok",
                "close-mapped ok");
        assertThat(mount.isStale()).isTrue();
        Proc.Result again = mount.script(mountPoint).assertOk();
        assertThat(again.err()).contains("clearing the stale mount");
        assertThat(mount.isMounted()).isTrue();
        mount.script("-u", mountPoint).assertOk();
    }
}
