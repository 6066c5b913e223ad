package org.gntfs.daemon;

import com.google.common.base.Preconditions;
import java.nio.file.Path;
import java.time.Duration;
import org.gntfs.Limits;
import org.gntfs.fuse.FuseOptions;
import org.jspecify.annotations.Nullable;

/**
 * How a gntfs mount is made: what the FUSE engine is told ({@link #fuse}), and what the daemon
 * does around it.
 *
 * @param mountPoint an existing, empty directory
 * @param cacheTimeout how long the kernel may trust attributes and names; see {@link FuseOptions}
 * @param tuneWriteback whether to lift the kernel's per-mount dirty-page limit; see {@link BdiTuning}
 * @param keepCache whether every open keeps the kernel's cached pages; see {@link FuseOptions}
 * @param debug whether the FUSE engine logs every request
 * @param directSocket where the direct-mapping socket listens, or null for none
 * @param directSocketRequired whether the mount fails when that socket cannot be made; the default
 *     place is only tried, since a mount point's parent is often not the daemon's to write
 * @param rootMode the mount root's permission bits, with set-id and sticky bits: 01777 makes a
 *     shared directory like /dev/shm, where only a region's owner may remove it
 * @param limits what the mount's users may take: inodes, attribute bytes, grants per uid
 */
public record MountOptions(
        Path mountPoint,
        Duration cacheTimeout,
        boolean tuneWriteback,
        boolean keepCache,
        boolean debug,
        @Nullable Path directSocket,
        boolean directSocketRequired,
        int rootMode,
        Limits limits) {
    /** The root as safe as a fresh directory: only the mounting user creates regions in it. */
    public static final int DEFAULT_ROOT_MODE = 0755;

    public MountOptions {
        FuseOptions.checkCacheTimeout(cacheTimeout);
        Preconditions.checkArgument((rootMode & ~07777) == 0, "root mode %s is not within 07777", Integer.toOctalString(rootMode));
    }

    public static MountOptions defaults(Path mountPoint) {
        return new MountOptions(
                mountPoint, FuseOptions.DEFAULT_CACHE_TIMEOUT, true, false, false, defaultDirectSocket(mountPoint), false, DEFAULT_ROOT_MODE,
                Limits.DEFAULTS);
    }

    /** Beside the mount point, never inside it: {@code /run/gnt} has {@code /run/gnt.sock}. */
    public static Path defaultDirectSocket(Path mountPoint) {
        Path absolute = mountPoint.toAbsolutePath().normalize();
        return absolute.resolveSibling(absolute.getFileName() + ".sock");
    }

    /** The FUSE engine's share of these options. */
    public FuseOptions fuse() {
        return new FuseOptions(mountPoint, cacheTimeout, keepCache, debug);
    }
}
