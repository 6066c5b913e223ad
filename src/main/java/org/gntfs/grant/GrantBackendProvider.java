package org.gntfs.grant;

import java.io.IOException;
import java.nio.file.Path;

/**
 * One kind of grant backend, as {@code --backend} names it. Each implementation package registers
 * its provider in {@code META-INF/services/org.gntfs.grant.GrantBackendProvider}, and
 * {@link GrantBackendProviders} finds them there: nothing outside a backend's own package names
 * its classes.
 */
public interface GrantBackendProvider {
    /** A short lower-case name, as given to {@code --backend} and published as {@code user.gnt.backend}. */
    String name();

    /** Whether this machine can open this backend now; {@code --backend auto} asks every provider. */
    boolean available();

    /**
     * When this backend is available, in words for {@code --help} ("when /dev/xen/gntalloc exists"),
     * or empty if it always is.
     */
    String availableWhen();

    /** Which available backend {@code --backend auto} takes: the one of highest priority. */
    int priority();

    /** Opens a pool for a mount; the mount owns it and closes it. */
    GrantBackend open(PoolSettings settings) throws IOException;

    /**
     * Attaches a foreign domain to the pool of the mount at {@code mountPoint}, for {@code gntfs peer},
     * from the facts the mount root publishes (the backend's {@link GrantBackend#properties}).
     */
    GrantPeer attachPeer(Path mountPoint, PublishedFacts facts) throws IOException;

    /** What a mount root publishes as {@code user.gnt.NAME}. */
    @FunctionalInterface
    interface PublishedFacts {
        /** The value of {@code user.gnt.NAME}; fails when the root has none. */
        String read(String name) throws IOException;
    }
}
