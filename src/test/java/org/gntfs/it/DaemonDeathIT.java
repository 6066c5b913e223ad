package org.gntfs.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a process holding files and mappings of the mount sees once the daemon is SIGKILLed, call
 * by call, as docs/semantics.md (Lifecycle, item 5) says; and that the next fuse-mount.sh clears
 * the dead mount.
 */
class DaemonDeathIT {
    @TempDir
    Path directory;

    private ScriptedMount mount;

    @AfterEach
    void cleanUp() throws Exception {
        mount.close();
    }

    @Test
    void afterSigkill_cachedPagesStillRead_everythingElseIsEnotconnOrSigbus_andTheNextMountClearsIt() throws Exception {
        mount = new ScriptedMount(directory);
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
