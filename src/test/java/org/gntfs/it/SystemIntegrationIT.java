package org.gntfs.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What scripts/install-command.sh installs for the system: the systemd unit and mount(8)'s
 * helper, each run as the system would run it, from an installed copy in a temporary prefix.
 */
class SystemIntegrationIT {
    private static final Path INSTALL = Path.of("scripts/install-command.sh").toAbsolutePath();
    private static final Path SYSTEM_HELPER = Path.of("/sbin/mount.fuse.gntfs");

    @TempDir
    Path directory;

    private Path prefix;
    private Path mountPoint;

    @BeforeEach
    void install() throws Exception {
        prefix = directory.resolve("prefix");
        mountPoint = directory.resolve("gnt");
        Files.createDirectories(mountPoint);
        Proc.run(List.of("env", "GNTFS_PREFIX=" + prefix, "GNTFS_SBIN_DIR=" + prefix.resolve("sbin"), INSTALL.toString()))
                .assertOk();
    }

    private Path unit() {
        return prefix.resolve("lib/systemd/system/gntfs.service");
    }

    @Test
    void theUnit_passesSystemdsVerification() {
        Proc.Result verify = Proc.run(List.of("systemd-analyze", "verify", unit().toString()));

        assertThat(verify.exit()).as(verify.err()).isZero();
        assertThat(verify.out() + verify.err()).isEmpty();
    }

    /** As systemd runs it: ExecStart's process is the daemon itself, and SIGTERM stops it cleanly. */
    @Test
    void theUnitsCommand_becomesTheDaemon_andSigtermUnmountsAndReleases() throws Exception {
        String execStart = Files.readAllLines(unit()).stream()
                .filter(line -> line.startsWith("ExecStart="))
                .findFirst()
                .orElseThrow()
                .substring("ExecStart=".length());
        assertThat(execStart).isEqualTo(prefix + "/lib/gntfs/fuse-mount.sh /run/gnt --foreground");
        List<String> command = List.of(execStart.replace(" /run/gnt ", " " + mountPoint + " ").split(" "));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(directory.resolve("service.out").toFile());
        builder.environment().put("GNTFS_RUN_DIR", directory.resolve("run").toString());
        Process service = builder.start();
        try {
            awaitMountBy(service.pid());
            Path table = Path.of(xattr("user.gnt.table"));

            service.destroy();   // SIGTERM, as systemctl stop sends

            assertThat(service.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(Files.readAllLines(unit())).contains("SuccessExitStatus=" + service.exitValue());   // a clean stop to systemd
            assertThat(isMounted()).isFalse();
            assertThat(table).doesNotExist();
            assertThat(Files.readString(directory.resolve("service.out"))).doesNotContain("building", "Exception");
        } finally {
            service.destroyForcibly();
            Proc.run(List.of("fusermount3", "-u", "-z", mountPoint.toString()));
        }
    }

    @Test
    void mountDashT_mountsWithTheDaemonOptionsOfDashO_andUmountEndsTheDaemon() throws Exception {
        byte[] previous = Files.exists(SYSTEM_HELPER) ? Files.readAllBytes(SYSTEM_HELPER) : null;
        Files.copy(prefix.resolve("sbin/mount.fuse.gntfs"), SYSTEM_HELPER, StandardCopyOption.REPLACE_EXISTING);
        try {
            Proc.run(List.of("env", "GNTFS_RUN_DIR=" + directory.resolve("run"), "mount", "-t", "fuse.gntfs", "gntfs",
                    mountPoint.toString(), "-o", "backend=sim,limit=1024,domid=3,nofail")).assertOk();
            long pid = Long.parseLong(xattr("user.gnt.pid"));

            assertThat(Proc.run(List.of("stat", "-f", "-c", "%b", mountPoint.toString())).assertOk().out())
                    .isEqualTo("1024\n");
            assertThat(xattr("user.gnt.domid")).isEqualTo("3");

            Proc.run(List.of("umount", mountPoint.toString())).assertOk();
            ProcessHandle daemon = ProcessHandle.of(pid).orElse(null);
            if (daemon != null) {
                daemon.onExit().get(30, TimeUnit.SECONDS);
            }
            assertThat(isMounted()).isFalse();
        } finally {
            if (isMounted()) {
                Proc.run(List.of("fusermount3", "-u", "-z", mountPoint.toString()));
            }
            if (previous == null) {
                Files.delete(SYSTEM_HELPER);
            } else {
                Files.write(SYSTEM_HELPER, previous);
            }
        }
    }

    private void awaitMountBy(long pid) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Long.toString(pid).equals(Proc.run(List.of("getfattr", "--only-values", "-n", "user.gnt.pid",
                mountPoint.toString())).out())) {
            assertThat(System.nanoTime()).as("mounted by pid " + pid + " within 60 s").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private String xattr(String name) {
        return Proc.run(List.of("getfattr", "--only-values", "-n", name, mountPoint.toString())).assertOk().out();
    }

    private boolean isMounted() {
        return Proc.run(List.of("mountpoint", "-q", mountPoint.toString())).exit() == 0;
    }
}
