package org.gntfs.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
    private static final Path SCRIPT = Path.of("fuse-mount.sh").toAbsolutePath();

    @TempDir
    Path directory;

    private Path mountPoint;
    private Path runDirectory;

    @BeforeEach
    void paths() {
        mountPoint = directory.resolve("gnt");
        runDirectory = directory.resolve("run");
    }

    /** Whatever a test left mounted goes, and its daemon with it. */
    @AfterEach
    void cleanUp() throws Exception {
        if (isStale() || isMounted()) {
            Proc.run(List.of("fusermount", "-u", "-z", mountPoint.toString()));
        }
        Path pidFile = pidFile();
        if (Files.exists(pidFile)) {
            long pid = Long.parseLong(Files.readString(pidFile).trim());
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
        }
    }

    private Proc.Result script(String... args) {
        List<String> command = new ArrayList<>(List.of(
                "env", "GNTFS_RUN_DIR=" + runDirectory, SCRIPT.toString()));
        command.addAll(List.of(args));
        return Proc.run(command);
    }

    private Path pidFile() {
        return stateFile(".pid");
    }

    /** The daemon's log, as fuse-mount.sh names it. */
    private Path logFile() {
        return stateFile(".log");
    }

    private Path stateFile(String suffix) {
        return runDirectory.resolve("gntfs" + mountPoint.toString().replace('/', '_') + suffix);
    }

    private long daemonPid() throws IOException {
        return Long.parseLong(Files.readString(pidFile()).trim());
    }

    private boolean isMounted() {
        return Proc.run(List.of("mountpoint", "-q", mountPoint.toString())).exit() == 0;
    }

    private boolean isStale() {
        return Proc.run(List.of("stat", "-f", mountPoint.toString())).err().contains("not connected");
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
        Proc.Result mounted = script(mountPoint.toString(), "--limit", "100", "--domid", "4").assertOk();

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
        long pid = daemonPid();
        Path table = tableOfTheMount();
        Path socket = MountOptions.defaultDirectSocket(mountPoint);
        assertThat(xattr(mountPoint, "user.gnt.socket")).isEqualTo(socket.toString());
        assertThat(Files.getAttribute(socket, "unix:mode")).isEqualTo(0140666);

        script("-u", mountPoint.toString()).assertOk();

        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).isNotEqualTo(java.util.Optional.of(true));
        assertThat(isMounted()).isFalse();
        assertThat(table).doesNotExist();
        assertThat(socket).doesNotExist();
    }

    @Test
    void aMountWithoutDirectMapping_saysSoToClients() throws Exception {
        script(mountPoint.toString(), "--no-direct-socket").assertOk();
        try {
            Proc.python(RegionMountIT.PY + "os.ftruncate(os.open(sys.argv[1], os.O_CREAT | os.O_RDWR, 0o600), 4096)",
                    mountPoint.resolve("ring")).assertOk();

            Proc.Result map = Proc.gntfs("map", mountPoint.resolve("ring"));

            assertThat(map.exit()).isEqualTo(1);
            assertThat(map.err()).isEqualTo("gntfs map: " + mountPoint.resolve("ring")
                    + " is on a gntfs mount that offers no direct mapping\n");
            assertThat(MountOptions.defaultDirectSocket(mountPoint)).doesNotExist();
        } finally {
            script("-u", mountPoint.toString()).assertOk();
        }
    }

    private static String xattr(Path path, String name) {
        return Proc.run(List.of("getfattr", "--only-values", "-n", name, path.toString())).assertOk().out();
    }

    @Test
    void aKilledDaemon_failsTheMappingsHeldOnItWithoutHanging_andTheNextMountClearsWhatItLeft() throws Exception {
        script(mountPoint.toString()).assertOk();
        long killed = daemonPid();
        Path orphanTable = tableOfTheMount();
        try (MappingHolder fb = new MappingHolder(mountPoint.resolve("fb"));
                MappingHolder ring = new MappingHolder(mountPoint.resolve("ring"))) {
            ProcessHandle.of(killed).orElseThrow().destroyForcibly();
            awaitExit(killed);

            for (MappingHolder holder : List.of(fb, ring)) {
                assertThat(holder.touch()).isEqualTo("fault SIGBUS pread ENOTCONN msync ENOTCONN munmap ok close ENOTCONN");
            }
        }
        assertThat(isStale()).isTrue();

        assertThat(MountOptions.defaultDirectSocket(mountPoint)).exists();
        Proc.Result again = script(mountPoint.toString()).assertOk();

        assertThat(again.err()).contains("clearing the stale mount");
        assertThat(xattr(mountPoint, "user.gnt.socket")).isEqualTo(MountOptions.defaultDirectSocket(mountPoint).toString());
        assertThat(daemonPid()).isNotEqualTo(killed);
        assertThat(Files.exists(mountPoint.resolve(".grants"))).isTrue();
        assertThat(orphanTable).doesNotExist();
        script("-u", mountPoint.toString()).assertOk();
    }

    @ParameterizedTest
    @ValueSource(strings = {"TERM", "INT"})
    void aSignal_unmountsAndReleasesEverything(String signal) throws Exception {
        script(mountPoint.toString()).assertOk();
        Proc.python(RegionMountIT.PY + "os.ftruncate(os.open(sys.argv[1], os.O_CREAT | os.O_RDWR, 0o600), 8192)",
                mountPoint.resolve("region")).assertOk();
        long pid = daemonPid();
        Path table = tableOfTheMount();

        Proc.run(List.of("kill", "-" + signal, Long.toString(pid))).assertOk();
        awaitExit(pid);

        assertThat(isMounted()).isFalse();
        assertThat(isStale()).isFalse();
        assertThat(table).doesNotExist();
        // The table warns when it is closed with grants still in use.
        assertThat(Files.readString(logFile())).doesNotContain("still in use", "ERROR", "Exception");
    }

    @Test
    void badArguments_exitTwoAndMountNothing() {
        Proc.Result unknown = script(mountPoint.toString(), "--bogus");
        Proc.Result badLimit = script(mountPoint.toString(), "--limit", "0");

        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).startsWith("fuse-mount.sh: unknown option --bogus");
        assertThat(badLimit.exit()).isEqualTo(2);
        assertThat(badLimit.err()).contains("--limit must be from 1 to 16777216, not 0");
        assertThat(isMounted()).isFalse();
    }

    @Test
    void unmountingWhatIsNotMounted_saysSo() throws IOException {
        Files.createDirectories(mountPoint);
        Proc.Result result = script("-u", mountPoint.toString());

        assertThat(result.exit()).isEqualTo(1);
        assertThat(result.err()).isEqualTo("fuse-mount.sh: " + mountPoint + " is not mounted\n");
    }
}
