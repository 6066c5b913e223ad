package org.gntfs.fuse;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableList;
import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * How a gntfs mount is made.
 *
 * @param mountPoint an existing, empty directory
 * @param cacheTimeout how long the kernel may trust attributes and names (libfuse's attr_timeout
 *     and entry_timeout). Every change of a name or an attribute passes through the kernel, which
 *     updates its cache itself, so a long timeout is safe and spares {@code ls -l} a LOOKUP per file.
 *     The same holds for names known not to exist (negative_timeout).
 * @param tuneWriteback whether to lift the kernel's per-mount dirty-page limit; see {@link BdiTuning}
 * @param keepCache whether every open keeps the kernel's cached pages, not only opens of read-only
 *     grants: faster re-reads, but a peer's stores are no longer seen by the next open
 * @param debug whether libfuse logs every request to stderr
 * @param directSocket where the direct-mapping socket listens, or null for none
 * @param directSocketRequired whether the mount fails when that socket cannot be made; the default
 *     place is only tried, since a mount point's parent is often not the daemon's to write
 */
public record MountOptions(
        Path mountPoint,
        Duration cacheTimeout,
        boolean tuneWriteback,
        boolean keepCache,
        boolean debug,
        @Nullable Path directSocket,
        boolean directSocketRequired) {
    /** libfuse2's largest write request; {@code big_writes} is what lets writes use it. */
    public static final int MAX_WRITE = 131072;

    public static final Duration DEFAULT_CACHE_TIMEOUT = Duration.ofHours(1);

    public MountOptions {
        checkArgument(!cacheTimeout.isNegative() && !cacheTimeout.isZero(), "the cache timeout must be above zero");
    }

    public static MountOptions defaults(Path mountPoint) {
        return new MountOptions(mountPoint, DEFAULT_CACHE_TIMEOUT, true, false, false, defaultDirectSocket(mountPoint), false);
    }

    /** Beside the mount point, never inside it: {@code /run/gnt} has {@code /run/gnt.sock}. */
    public static Path defaultDirectSocket(Path mountPoint) {
        Path absolute = mountPoint.toAbsolutePath().normalize();
        return absolute.resolveSibling(absolute.getFileName() + ".sock");
    }

    /**
     * The arguments for libfuse after the mount point.
     *
     * <p>{@code -s} runs libfuse's single-threaded loop on the mount's own Java thread. libfuse's
     * multi-threaded loop starts and ends worker threads as load comes and goes, and jffi attaches
     * and detaches a fresh native thread to the JVM around each of its first 1000 callbacks: with
     * the thread churn of a writeback burst, that costs more CPU than the requests themselves.
     * Every callback here is short and never waits on the mount, so one thread serves them all.
     */
    ImmutableList<String> fuseArguments() {
        double seconds = cacheTimeout.toMillis() / 1000.0;
        return ImmutableList.of(
                "-s",
                "-o",
                String.join(
                        ",",
                        "fsname=gntfs",
                        "subtype=gntfs",
                        "allow_other",
                        "default_permissions",
                        "use_ino",
                        "big_writes",
                        "max_write=" + MAX_WRITE,
                        "attr_timeout=" + seconds,
                        "entry_timeout=" + seconds,
                        "negative_timeout=" + seconds));
    }
}
