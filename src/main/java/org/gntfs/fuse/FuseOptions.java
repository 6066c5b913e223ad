package org.gntfs.fuse;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableList;
import java.nio.file.Path;
import java.time.Duration;

/**
 * What libfuse and the adapter are told about a mount.
 *
 * @param mountPoint an existing, empty directory
 * @param cacheTimeout how long the kernel may trust attributes and names (libfuse's attr_timeout
 *     and entry_timeout). Every change of a name or an attribute passes through the kernel, which
 *     updates its cache itself, so a long timeout is safe and spares {@code ls -l} a LOOKUP per file.
 *     The same holds for names known not to exist (negative_timeout).
 * @param keepCache whether every open keeps the kernel's cached pages, not only opens of read-only
 *     grants: faster re-reads, but a peer's stores are no longer seen by the next open
 * @param debug whether libfuse logs every request to stderr
 */
public record FuseOptions(Path mountPoint, Duration cacheTimeout, boolean keepCache, boolean debug) {
    /** libfuse2's largest write request; {@code big_writes} is what lets writes use it. */
    public static final int MAX_WRITE = 131072;

    public static final Duration DEFAULT_CACHE_TIMEOUT = Duration.ofHours(1);

    public FuseOptions {
        checkCacheTimeout(cacheTimeout);
    }

    /** Fails unless libfuse can take {@code cacheTimeout}. */
    public static void checkCacheTimeout(Duration cacheTimeout) {
        checkArgument(!cacheTimeout.isNegative() && !cacheTimeout.isZero(), "the cache timeout must be above zero");
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
