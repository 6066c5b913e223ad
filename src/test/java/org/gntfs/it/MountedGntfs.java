package org.gntfs.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.gntfs.Limits;
import org.gntfs.daemon.GntfsMount;
import org.gntfs.daemon.MountOptions;
import org.gntfs.grant.sim.SimulatedGrantTable;
import org.gntfs.nativeio.Posix;
import org.gntfs.region.Region;
import org.gntfs.region.RegionTree;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real gntfs mount on the simulated table in a fresh temporary directory for each test, and
 * unmounted after it whatever happened. A machine without FUSE fails the test; it never skips.
 */
final class MountedGntfs implements BeforeEachCallback, AfterEachCallback {
    private static final Duration RELEASE_WAIT = Duration.ofSeconds(30);

    private final int limit;
    private final int domid;
    private final boolean keepCache;
    private final Limits limits;
    private Path directory;
    private Path mountPoint;
    private SimulatedGrantTable table;
    private GntfsMount mount;

    MountedGntfs(int limit, int domid) {
        this(limit, domid, false);
    }

    /** A mount with {@code --keep-cache}: every open keeps the kernel's cached pages. */
    static MountedGntfs keepingCache() {
        return new MountedGntfs(1024, 0, true);
    }

    /** A mount whose users may take only what {@code limits} allows, with a shared root (1777). */
    static MountedGntfs limitedTo(Limits limits) {
        return new MountedGntfs(1024, 0, false, limits);
    }

    private MountedGntfs(int limit, int domid, boolean keepCache) {
        this(limit, domid, keepCache, Limits.DEFAULTS);
    }

    private MountedGntfs(int limit, int domid, boolean keepCache, Limits limits) {
        this.limit = limit;
        this.domid = domid;
        this.keepCache = keepCache;
        this.limits = limits;
    }

    MountedGntfs() {
        this(1024, 0);
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        assertThat(Path.of("/dev/fuse")).as("FUSE is needed: /dev/fuse").exists();
        // Other users must reach the mount point for the permission tests: 0755, not 0700.
        directory = Files.createTempDirectory(
                "gntfs-it-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        mountPoint = Files.createDirectory(directory.resolve("mnt"));
        table = SimulatedGrantTable.create(Path.of("/dev/shm"), limit);
        MountOptions defaults = MountOptions.defaults(mountPoint);
        MountOptions options = new MountOptions(
                mountPoint, defaults.cacheTimeout(), defaults.tuneWriteback(), keepCache, defaults.debug(),
                defaults.directSocket(), true, limits == Limits.DEFAULTS ? defaults.rootMode() : 01777, limits);
        mount = GntfsMount.start(table, domid, options, Duration.ofSeconds(20));
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        if (mount != null) {
            mount.close();
        }
        Files.deleteIfExists(mountPoint);
        Files.deleteIfExists(directory);
    }

    Path root() {
        return mountPoint;
    }

    Path path(String name) {
        return mountPoint.resolve(name);
    }

    RegionTree tree() {
        return mount.tree();
    }

    long grantsInUse() {
        return tree().usage().used();
    }

    /** Pages of every region whose grants are alive: with nothing in flight, the grants in use. */
    long pagesOfLiveRegions() {
        return tree().liveRegions().stream().mapToLong(Region::pages).sum();
    }

    /** What a peer mapping the region's grants sees: the bytes in its granted pages, up to its size. */
    static byte[] grantedBytes(Region region) {
        ByteBuffer pages = ByteBuffer.allocateDirect((int) region.size());
        int count = region.read(0, Posix.MEMORY.getDirectBufferAddress(pages), pages.capacity());
        byte[] bytes = new byte[count];
        pages.get(bytes);
        return bytes;
    }

    /**
     * Waits until no unlinked region is alive: when a process exits, the kernel's releases of its
     * files reach the daemon a moment later.
     */
    void awaitUnlinkedRegionsReleased() throws InterruptedException {
        long deadline = System.nanoTime() + RELEASE_WAIT.toNanos();
        while (tree().liveRegions().stream().anyMatch(region -> !region.isLinked())) {
            assertThat(System.nanoTime()).as("unlinked regions still live after %s", RELEASE_WAIT).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    Path tablePath() {
        return table.tablePath();
    }

    /** Unmounts now, as the end of the test would, for tests about what unmount leaves behind. */
    void unmount() {
        mount.close();
    }
}
