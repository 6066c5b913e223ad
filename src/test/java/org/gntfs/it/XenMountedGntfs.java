package org.gntfs.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.gntfs.daemon.GntfsMount;
import org.gntfs.daemon.MountOptions;
import org.gntfs.grant.xen.XenGrantBackend;
import org.gntfs.region.RegionTree;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A gntfs mount on real Xen grants, as {@code gntfs mount --backend xen --domid 0} makes it, in
 * a fresh directory for each test and unmounted after it. In dom0, grants to domain 0 are
 * self-grants that the test maps back through gntdev.
 */
final class XenMountedGntfs implements BeforeEachCallback, AfterEachCallback {
    private Path directory;
    private Path mountPoint;
    private GntfsMount mount;

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        // Other users must reach the mount point for the permission tests: 0755, not 0700.
        directory = Files.createTempDirectory(
                "gntfs-xen-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        mountPoint = Files.createDirectory(directory.resolve("mnt"));
        mount = GntfsMount.start(XenGrantBackend.open(), 0, MountOptions.defaults(mountPoint), Duration.ofSeconds(60));
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        if (mount != null) {
            mount.close();
            assertThat(tree().usage().used()).as("grants held after unmount").isZero();
        }
        Files.deleteIfExists(mountPoint);
        Files.deleteIfExists(directory);
    }

    Path root() {
        return mountPoint;
    }

    /** A name in the mount. */
    Path path(String name) {
        return root().resolve(name);
    }

    RegionTree tree() {
        return mount.tree();
    }

    long grantsHeld() {
        return tree().usage().used();
    }

    /** Unmounts now: every region is released and gntalloc closed. */
    void unmount() {
        mount.close();
    }
}
