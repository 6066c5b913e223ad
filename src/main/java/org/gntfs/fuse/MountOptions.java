package org.gntfs.fuse;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableList;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How a gntfs mount is made.
 *
 * @param mountPoint an existing, empty directory
 * @param cacheTimeout how long the kernel may trust attributes and names (libfuse's attr_timeout
 *     and entry_timeout); above zero, so that {@code ls -l} and page-cache reads need no GETATTR
 * @param debug whether libfuse logs every request to stderr
 */
public record MountOptions(Path mountPoint, Duration cacheTimeout, boolean debug) {
    /** libfuse2's largest write request; {@code big_writes} is what lets writes use it. */
    public static final int MAX_WRITE = 131072;

    public MountOptions {
        checkArgument(!cacheTimeout.isNegative() && !cacheTimeout.isZero(), "the cache timeout must be above zero");
    }

    public static MountOptions defaults(Path mountPoint) {
        return new MountOptions(mountPoint, Duration.ofSeconds(1), false);
    }

    /** The arguments for libfuse after the mount point. */
    ImmutableList<String> fuseArguments() {
        double seconds = cacheTimeout.toMillis() / 1000.0;
        return ImmutableList.of(
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
                        "entry_timeout=" + seconds));
    }
}
