package org.gntfs.daemon;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.gntfs.grant.sim.SimulatedGrantTable;
import org.gntfs.protocol.MountTable;
import org.gntfs.testing.CapturedLog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The daemon's close unmounts its own gntfs mount and nothing else: a tmpfs mounted over the
 * mount point stays, and one mounted beneath is uncovered, not unmounted. Needs root (tmpfs).
 */
class OwnMountUnmountIT {
    private Path mountPoint;
    private SimulatedGrantTable table;

    @BeforeEach
    void makeMountPoint() throws IOException {
        assertThat(Path.of("/dev/fuse")).as("FUSE is needed: /dev/fuse").exists();
        mountPoint = Files.createDirectory(Files.createTempDirectory("gntfs-unmount-").resolve("mnt"));
        table = SimulatedGrantTable.create(Path.of("/dev/shm"), 16);
    }

    /** Unmounts whatever the test left, topmost first, then removes the directories. */
    @AfterEach
    void cleanUp() throws Exception {
        try {
            for (int i = 0; i < 3 && MountTable.typeAt(mountPoint).isPresent(); i++) {
                run("umount", "--", mountPoint.toString());
            }
            assertThat(MountTable.typeAt(mountPoint)).as("left mounted").isEmpty();
        } finally {
            table.close();
            Files.deleteIfExists(mountPoint);
            Files.deleteIfExists(mountPoint.getParent());
        }
    }

    @Test
    void close_leavesATmpfsMountedOverTheMount_andSaysSoInOneLine() throws Exception {
        GntfsMount mount = GntfsMount.start(table, 0, MountOptions.defaults(mountPoint), Duration.ofSeconds(20));
        try {
            run("mount", "-t", "tmpfs", "-o", "size=1m", "gntfs-test-cover", mountPoint.toString());
            Files.writeString(mountPoint.resolve("kept"), "tmpfs data");

            String log = logOf(mount);

            assertThat(MountTable.typeAt(mountPoint)).hasValue("tmpfs");
            assertThat(Files.readString(mountPoint.resolve("kept"))).isEqualTo("tmpfs data");
            assertThat(log.lines().filter(line -> line.contains("not unmounting"))).singleElement().asString()
                    .contains(mountPoint.toString(), "tmpfs is mounted over it");
        } finally {
            run("umount", "--", mountPoint.toString());
            // Uncovered, the gntfs mount is there again, still served: it goes as any gntfs mount does.
            assertThat(MountTable.typeAt(mountPoint)).hasValue(MountTable.GNTFS_TYPE);
            run("fusermount3", "-u", "--", mountPoint.toString());
            mount.awaitUnmounted();
        }
    }

    @Test
    void close_unmountsTheGntfsMount_overATmpfs_andLeavesTheTmpfs() throws Exception {
        run("mount", "-t", "tmpfs", "-o", "size=1m", "gntfs-test-beneath", mountPoint.toString());
        GntfsMount mount = GntfsMount.start(table, 0, MountOptions.defaults(mountPoint), Duration.ofSeconds(20));
        Files.writeString(mountPoint.resolve("region"), "granted");

        String log = logOf(mount);

        assertThat(MountTable.typeAt(mountPoint)).hasValue("tmpfs");
        assertThat(log).doesNotContain("not unmounting");
        assertThat(table.usage().used()).as("grants held after close").isZero();
    }


    /** What the daemon logs while it closes. */
    private static String logOf(GntfsMount mount) {
        try (CapturedLog captured = new CapturedLog()) {
            mount.close();
            return captured.text();
        }
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("%s: %s", String.join(" ", command), output).isZero();
    }
}
