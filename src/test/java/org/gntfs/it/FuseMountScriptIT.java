package org.gntfs.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.concurrent.TimeUnit;
import org.gntfs.daemon.MountOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code fuse-mount.sh}: the way users mount and unmount, with the daemon in the background. */
class FuseMountScriptIT {
    @TempDir
    Path directory;

    private ScriptedMount mount;
    private Path mountPoint;

    @BeforeEach
    void paths() {
        mount = new ScriptedMount(directory);
        mountPoint = mount.mountPoint();
    }

    @AfterEach
    void cleanUp() throws Exception {
        mount.close();
    }

    private Path tableOfTheMount() {
        String table = Proc.run(List.of("getfattr", "--only-values", "-n", "user.gnt.table", mountPoint.toString()))
                .assertOk().out();
        return Path.of(table);
    }

    private static void awaitExit(long pid) throws Exception {
        ProcessHandle handle = ProcessHandle.of(pid).orElse(null);
        if (handle != null) {
            handle.onExit().get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void mount_returnsOnceUsable_andUnmountWaitsUntilTheDaemonIsGone() throws Exception {
        Proc.Result mounted = mount.script(mountPoint.toString(), "--limit", "100", "--domid", "4").assertOk();

        assertThat(mounted.out()).startsWith("fuse-mount.sh: gntfs mounted on " + mountPoint);
        assertThat(Files.readString(mountPoint.resolve(".grants"), UTF_8)).startsWith("path\tdomid");
        assertThat(Proc.run(List.of("stat", "-f", "-c", "%S %b %a %l", mountPoint.toString())).assertOk().out())
                .isEqualTo("4096 100 100 255\n");
        assertThat(Proc.run(List.of("getfattr", "--only-values", "-n", "user.gnt.domid", mountPoint.toString()))
                .assertOk().out()).isEqualTo("4");
        String options = Files.readAllLines(Path.of("/proc/mounts")).stream()
                .filter(line -> line.contains(" " + mountPoint + " "))
                .findFirst()
                .orElseThrow();
        assertThat(options).contains("fuse.gntfs", "default_permissions", "allow_other");
        long pid = mount.daemonPid();
        Path table = tableOfTheMount();
        Path socket = MountOptions.defaultDirectSocket(mountPoint);
        assertThat(xattr(mountPoint, "user.gnt.socket")).isEqualTo(socket.toString());
        assertThat(Files.getAttribute(socket, "unix:mode")).isEqualTo(0140666);

        mount.script("-u", mountPoint.toString()).assertOk();

        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).isNotEqualTo(java.util.Optional.of(true));
        assertThat(mount.isMounted()).isFalse();
        assertThat(table).doesNotExist();
        assertThat(socket).doesNotExist();
    }

    @Test
    void aMountWithoutDirectMapping_saysSoToClients() throws Exception {
        mount.script(mountPoint.toString(), "--no-direct-socket").assertOk();
        try {
            Proc.python(RegionMountIT.PY + "os.ftruncate(os.open(sys.argv[1], os.O_CREAT | os.O_RDWR, 0o600), 4096)",
                    mountPoint.resolve("ring")).assertOk();

            Proc.Result map = Proc.gntfs("map", mountPoint.resolve("ring"));

            assertThat(map.exit()).isEqualTo(1);
            assertThat(map.err()).isEqualTo("gntfs map: " + mountPoint.resolve("ring")
                    + " is on a gntfs mount that offers no direct mapping\n");
            assertThat(MountOptions.defaultDirectSocket(mountPoint)).doesNotExist();
        } finally {
            mount.script("-u", mountPoint.toString()).assertOk();
        }
    }

    private static String xattr(Path path, String name) {
        return Proc.run(List.of("getfattr", "--only-values", "-n", name, path.toString())).assertOk().out();
    }

    @Test
    void aKilledDaemon_failsTheMappingsHeldOnItWithoutHanging_andTheNextMountClearsWhatItLeft() throws Exception {
        mount.script(mountPoint.toString()).assertOk();
        long killed = mount.daemonPid();
        Path orphanTable = tableOfTheMount();
        try (MappingHolder fb = new MappingHolder(mountPoint.resolve("fb"));
                MappingHolder ring = new MappingHolder(mountPoint.resolve("ring"))) {
            ProcessHandle.of(killed).orElseThrow().destroyForcibly();
            awaitExit(killed);

            for (MappingHolder holder : List.of(fb, ring)) {
                assertThat(holder.touch()).isEqualTo("fault SIGBUS pread ENOTCONN msync ENOTCONN munmap ok close ENOTCONN");
            }
        }
        assertThat(mount.isStale()).isTrue();

        assertThat(MountOptions.defaultDirectSocket(mountPoint)).exists();
        Proc.Result again = mount.script(mountPoint.toString()).assertOk();

        assertThat(again.err()).contains("clearing the stale mount");
        assertThat(xattr(mountPoint, "user.gnt.socket")).isEqualTo(MountOptions.defaultDirectSocket(mountPoint).toString());
        assertThat(mount.daemonPid()).isNotEqualTo(killed);
        assertThat(Files.readAllLines(mount.logFile()).stream().filter(line -> line.startsWith("=== ")))
                .as("the killed daemon's log is kept, the new one appended")
                .hasSize(2);
        assertThat(Files.exists(mountPoint.resolve(".grants"))).isTrue();
        assertThat(orphanTable).doesNotExist();
        mount.script("-u", mountPoint.toString()).assertOk();
    }

    @ParameterizedTest
    @ValueSource(strings = {"TERM", "INT"})
    void aSignal_unmountsAndReleasesEverything(String signal) throws Exception {
        mount.script(mountPoint.toString()).assertOk();
        Proc.python(RegionMountIT.PY + "os.ftruncate(os.open(sys.argv[1], os.O_CREAT | os.O_RDWR, 0o600), 8192)",
                mountPoint.resolve("region")).assertOk();
        long pid = mount.daemonPid();
        Path table = tableOfTheMount();

        Proc.run(List.of("kill", "-" + signal, Long.toString(pid))).assertOk();
        awaitExit(pid);

        assertThat(mount.isMounted()).isFalse();
        assertThat(mount.isStale()).isFalse();
        assertThat(table).doesNotExist();
        // The table warns when it is closed with grants still in use.
        assertThat(Files.readString(mount.logFile())).doesNotContain("still in use", "ERROR", "Exception");
    }

    /** mountinfo names the real path; a daemon that looked for the path it was given found nothing. */
    @Test
    void aMountPointReachedThroughASymlink_isUnmountedBySigterm() throws Exception {
        Path link = Files.createSymbolicLink(directory.resolve("link"), directory);
        mount.script(link.resolve("gnt").toString()).assertOk();
        long pid = mount.daemonPid();

        Proc.run(List.of("kill", "-TERM", Long.toString(pid))).assertOk();
        awaitExit(pid);

        assertThat(mount.isMounted()).isFalse();
        assertThat(mount.isStale()).isFalse();
    }

    @Test
    void badArguments_exitTwoAndMountNothing() {
        Proc.Result unknown = mount.script(mountPoint.toString(), "--bogus");
        Proc.Result badLimit = mount.script(mountPoint.toString(), "--limit", "0");

        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).startsWith("fuse-mount.sh: unknown option --bogus");
        assertThat(badLimit.exit()).isEqualTo(2);
        assertThat(badLimit.err()).contains("--limit must be from 1 to 16777216, not 0");
        assertThat(mount.isMounted()).isFalse();
    }

    /** A path with a space and a backslash proves that mountinfo's escapes are read. */
    @Test
    void unmountingAMountThatIsNotGntfs_refusesAndLeavesItMounted() throws IOException {
        Path scratch = directory.resolve("scratch tmpfs\\1");
        Files.createDirectories(scratch);
        Proc.run(List.of("mount", "-t", "tmpfs", "-o", "size=1m", "gntfs-it-scratch", scratch.toString())).assertOk();
        try {
            Files.writeString(scratch.resolve("kept"), "still here");

            Proc.Result result = mount.script("-u", scratch.toString());

            assertThat(result.exit()).isEqualTo(1);
            assertThat(result.err()).isEqualTo("fuse-mount.sh: " + scratch + " is a tmpfs mount, not gntfs: left as it is\n");
            assertThat(Proc.run(List.of("mountpoint", "-q", scratch.toString())).exit()).isZero();
            assertThat(Files.readString(scratch.resolve("kept"))).isEqualTo("still here");
        } finally {
            Proc.run(List.of("umount", scratch.toString())).assertOk();
        }
    }

    /**
     * A FUSE mount of another type whose server is gone: neither {@code -u} nor a mount over it
     * may detach it, though it is as stale as a killed gntfs daemon's.
     */
    @Test
    void aStaleFuseMountThatIsNotGntfs_isNeitherDetachedNorMountedOver() throws IOException {
        Files.createDirectories(mountPoint);
        // The /dev/fuse descriptor closes when python exits: the mount is left without a server.
        Proc.python("import os, subprocess, sys\n"
                + "fd = os.open('/dev/fuse', os.O_RDWR)\n"
                + "subprocess.run(['mount', '-i', '-t', 'fuse', '-o', f'fd={fd},rootmode=40000,user_id=0,group_id=0,"
                + "subtype=other', 'gntfs-it-other', sys.argv[1]], pass_fds=[fd], check=True)",
                mountPoint).assertOk();
        try {
            assertThat(mount.isStale()).isTrue();
            String refusal = "fuse-mount.sh: " + mountPoint + " is a fuse.other mount, not gntfs: left as it is\n";

            Proc.Result unmount = mount.script("-u", mountPoint.toString());
            Proc.Result mountOver = mount.script(mountPoint.toString());

            assertThat(unmount.exit()).isEqualTo(1);
            assertThat(unmount.err()).isEqualTo(refusal);
            assertThat(mountOver.exit()).isEqualTo(1);
            assertThat(mountOver.err()).endsWith(refusal);
            assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).contains(" fuse.other gntfs-it-other ");
        } finally {
            Proc.run(List.of("umount", "-l", mountPoint.toString())).assertOk();
        }
    }

    @Test
    void unmountingABusyMount_namesTheProcessesHoldingItAndHowToForceIt() throws Exception {
        mount.script(mountPoint.toString()).assertOk();
        Process holder = new ProcessBuilder("sleep", "60").directory(mountPoint.toFile()).start();
        try {
            Proc.Result busy = mount.script("-u", mountPoint.toString());

            assertThat(busy.exit()).isEqualTo(1);
            assertThat(busy.err())
                    .contains("cannot unmount " + mountPoint + ": it is busy")
                    .containsPattern("(?m)^\\S*\\s+\\S+\\s+" + holder.pid() + " .*sleep$")
                    .endsWith("fusermount3 -u -z " + mountPoint + " (the daemon exits once they let go)\n");
            assertThat(mount.isMounted()).isTrue();
        } finally {
            holder.destroy();
            holder.waitFor();
        }
        mount.script("-u", mountPoint.toString()).assertOk();
    }

    /** Every option the script takes is in its help, and the run directory is the real one. */
    @Test
    void help_listsEveryOption_andTheRunDirectory() throws IOException {
        String help = mount.script("--help").assertOk().out();

        List<String> options = Files.readAllLines(ScriptedMount.SCRIPT).stream()
                .filter(line -> line.matches(" {8}-[-a-z|]*\\).*"))
                .flatMap(line -> List.of(line.substring(0, line.indexOf(')')).trim().split("\\|")).stream())
                .toList();
        assertThat(options).contains("--backend", "--fuse-debug", "--foreground", "--");
        for (String option : options) {
            assertThat(help).containsPattern("(?m)^ +(-h, )?" + Pattern.quote(option) + "[ ,]");
        }
        assertThat(help).contains("RUN_DIR is " + directory.resolve("run") + " here").doesNotContain("$GNTFS_RUN_DIR");
    }

    @Test
    void unmountingWhatIsNotMounted_saysSo() throws IOException {
        Files.createDirectories(mountPoint);
        Proc.Result result = mount.script("-u", mountPoint.toString());

        assertThat(result.exit()).isEqualTo(1);
        assertThat(result.err()).isEqualTo("fuse-mount.sh: " + mountPoint + " is not mounted\n");
    }
}
