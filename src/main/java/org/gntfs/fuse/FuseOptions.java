package org.gntfs.fuse;

import static com.google.common.base.Preconditions.checkArgument;

import java.nio.file.Path;
import java.time.Duration;

/**
 * What the FUSE engine is told about a mount.
 *
 * @param mountPoint an existing, empty directory
 * @param cacheTimeout how long the kernel may trust attributes and names (the entry and attribute
 *     validity of every reply). Every change of a name or an attribute passes through the kernel,
 *     which updates its cache itself, so a long timeout is safe and spares {@code ls -l} a LOOKUP
 *     per file. The same holds for names known not to exist (negative entries).
 * @param keepCache whether every open keeps the kernel's cached pages, not only opens of read-only
 *     grants: faster re-reads, but a peer's stores are no longer seen by the next open
 * @param debug whether the engine logs every request and its answer
 */
public record FuseOptions(Path mountPoint, Duration cacheTimeout, boolean keepCache, boolean debug) {
    public static final Duration DEFAULT_CACHE_TIMEOUT = Duration.ofHours(1);

    public FuseOptions {
        checkCacheTimeout(cacheTimeout);
    }

    /** Fails unless {@code cacheTimeout} is above zero. */
    public static void checkCacheTimeout(Duration cacheTimeout) {
        checkArgument(!cacheTimeout.isNegative() && !cacheTimeout.isZero(), "the cache timeout must be above zero");
    }
}
