package org.gntfs.fuse;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.collect.ImmutableMap;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.gntfs.Limits;
import org.gntfs.engine.mount.FuseMounter;
import org.gntfs.grant.sim.SimulatedGrantTable;
import org.gntfs.protocol.MountTable;
import org.gntfs.region.RegionTree;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The engine on a real mount, for what only it does: lookup counts the kernel drives, nodes that
 * live by id alone (no hidden names), times set one at a time, and an aborted connection.
 */
class KernelEngineIT {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private Path directory;
    private Path mountPoint;
    private SimulatedGrantTable table;
    private RegionTree tree;
    private KernelLoop loop;

    @BeforeEach
    void mount() throws IOException {
        directory = Files.createTempDirectory("gntfs-engine-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        mountPoint = Files.createDirectory(directory.resolve("mnt"));
        table = SimulatedGrantTable.create(Path.of("/dev/shm"), 1024);
        tree = new RegionTree(table, InstantSource.system(), 0, 0, 0, ImmutableMap.of(), Limits.DEFAULTS);
        loop = KernelLoop.start(tree, new FuseOptions(mountPoint, Duration.ofHours(1), false, false));
        loop.awaitInit(WAIT);
    }

    @AfterEach
    void unmount() throws Exception {
        if (MountTable.typeAt(mountPoint).filter(MountTable.GNTFS_TYPE::equals).isPresent()) {
            FuseMounter.unmount(mountPoint, true);
        }
        loop.join(WAIT);
        assertThat(loop.isRunning()).as("the session ends at unmount").isFalse();
        tree.releaseAll();
        table.close();
        Files.deleteIfExists(mountPoint);
        Files.deleteIfExists(directory);
    }

    @Test
    void theMountTable_showsFuseGntfs() throws IOException {
        assertThat(MountTable.typeAt(mountPoint)).contains(MountTable.GNTFS_TYPE);
    }

    @Test
    void eachNodeHandedOut_isCounted_andForgottenOnceTheKernelDropsIt() throws Exception {
        python("import os, sys",
                "for i in range(20): open(os.path.join(sys.argv[1], 'f%d' % i), 'w').close()",
                "for i in range(20): os.stat(os.path.join(sys.argv[1], 'f%d' % i))");
        assertThat(loop.knownNodes()).as("the root and twenty files").isEqualTo(21);
        python("import os, sys", "for i in range(20): os.unlink(os.path.join(sys.argv[1], 'f%d' % i))");
        awaitTrue(() -> loop.knownNodes() == 1, "the kernel forgets unlinked files");
    }

    @Test
    void anUnlinkedOpenFile_hasNoName_andKeepsWorkingByItsHandle_evenWithItsDirectoryGone() throws Exception {
        String out = python("import os, sys",
                "d = os.path.join(sys.argv[1], 'd'); os.mkdir(d); p = os.path.join(d, 'f')",
                "fd = os.open(p, os.O_CREAT | os.O_RDWR, 0o640); os.write(fd, b'kept')",
                "os.unlink(p); os.rmdir(d)",
                "print(sorted(os.listdir(sys.argv[1])))",
                "st = os.fstat(fd); os.pwrite(fd, b'!', 4)",
                "print(st.st_nlink, oct(st.st_mode & 0o777), os.pread(fd, 16, 0))");
        assertThat(out).isEqualTo("['.grants']\n0 0o640 b'kept!'\n");
    }

    @Test
    void utimensat_withOneTime_setsThatTimeAlone() throws Exception {
        Path file = mountPoint.resolve("t");
        Files.writeString(file, "x");
        run("touch", "-m", "-d", "@1000000000", file.toString());
        run("touch", "-a", "-d", "@1200000000", file.toString());
        assertThat(run("stat", "-c", "%X %Y", file.toString())).isEqualTo("1200000000 1000000000\n");
        run("touch", "-m", file.toString());
        String[] times = run("stat", "-c", "%X %Y", file.toString()).trim().split(" ");
        assertThat(times[0]).as("UTIME_OMIT kept the access time").isEqualTo("1200000000");
        assertThat(Long.parseLong(times[1])).as("UTIME_NOW").isGreaterThan(1_700_000_000L);
    }

    @Test
    void anAbortedConnection_endsTheSession_andIsReported() throws Exception {
        Path connections = Path.of("/sys/fs/fuse/connections");
        if (isEmptyDirectory(connections)) {
            run("mount", "-t", "fusectl", "none", connections.toString());
        }
        long device = (Long) Files.getAttribute(mountPoint, "unix:dev");
        long minor = (device & 0xff) | ((device >>> 12) & ~0xffL);
        Files.writeString(connections.resolve(Long.toString(minor)).resolve("abort"), "1");
        awaitTrue(() -> !loop.isRunning(), "the session ends");
        assertThat(loop.wasAborted()).isTrue();
    }

    private static boolean isEmptyDirectory(Path path) throws IOException {
        try (var entries = Files.list(path)) {
            return entries.findAny().isEmpty();
        }
    }

    private String python(String... lines) throws Exception {
        return run("python3", "-c", String.join("\n", lines), mountPoint.toString());
    }

    private static String run(String... command) throws Exception {
        Process process = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as("%s: %s", new ArrayList<>(List.of(command)), out).isZero();
        return out;
    }

    private static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("%s within %s", what, WAIT).isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
