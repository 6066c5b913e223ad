package org.gntfs.grant;

import java.util.Optional;

/**
 * The other side of a grant: a foreign domain that maps a page by its grant reference, as Xen's
 * gntdev lets a peer do. Used by {@code gntfs peer} to check what a region really shares.
 */
public interface GrantPeer extends AutoCloseable {
    /**
     * Maps the page granted under {@code gref}, acting as domain {@code domid}.
     *
     * @throws org.gntfs.GntfsException when the ref is not granted, is granted to another
     *     domain, or is read-only and {@code write} was asked for
     */
    PeerPage map(int domid, int gref, boolean write);

    /** How often each event port was signalled, where the backend counts it (the simulated table does). */
    default Optional<EventCounts> eventCounts() {
        return Optional.empty();
    }

    @Override
    void close();

    /** The signals of a backend's event ports, as a peer sees them. */
    interface EventCounts {
        /** The ports are 0 to {@code ports() - 1}. */
        int ports();

        /** How often {@code port} has been signalled by an unmap notification. */
        int count(int port);
    }

    /** One granted page as the peer maps it; valid until closed. */
    interface PeerPage extends AutoCloseable {
        /** Where the page is mapped in this process, for callers that work on it in place, as a ring does. */
        long address();

        byte[] read(int offset, int length);

        void write(int offset, byte[] data);

        @Override
        void close();
    }
}
