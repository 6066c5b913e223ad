package org.gntfs.grant;

import com.google.common.collect.ImmutableMap;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where granted pages come from: the simulated grant table, or Xen's gntalloc device. The backend
 * is the pool; each region takes its pages through a {@link GrantSpace} of its own, so that the
 * region's pages can be handed to another process without reaching anyone else's.
 *
 * <p>Implementations are thread-safe. Failures are {@link org.gntfs.GntfsException}s.
 */
public interface GrantBackend extends AutoCloseable {
    /** A short name, as given to {@code --backend}. */
    String name();

    /** A new, empty space; it costs nothing until it first allocates. */
    GrantSpace openSpace();

    /**
     * Whether a space's read-only descriptor really refuses writable mappings. gntalloc's cannot:
     * its pages are allocated and mapped through one read-write open file.
     */
    boolean enforcesReadOnlyDescriptors();

    /**
     * The device a client must have opened read-write itself, and show, before a space's
     * descriptors are lent to it; empty if none. A gntalloc descriptor carries gntalloc's ioctls
     * (allocate grants, end them), which a client should get only if the kernel already lets it
     * open the device.
     */
    Optional<Path> deviceLentOnlyToItsOpeners();

    /** The pool's limit and use, as {@code df} shows them. */
    PoolUsage usage();

    /** Facts a peer needs to find this backend, published as {@code user.gnt.*} on the mount root. */
    ImmutableMap<String, String> properties();

    /** Releases what the backend holds itself. Regions must have released their pages first. */
    @Override
    void close();
}
