package org.gntfs.grant;

import com.google.common.collect.ImmutableMap;

/**
 * Where granted pages come from: the simulated grant table, or Xen's gntalloc device. The calls
 * follow gntalloc's life of a grant:
 *
 * <ol>
 *   <li>{@link #allocate}: grant n new zeroed pages to a domain (ALLOC_GREF), getting their grant
 *       references and a device offset, and map them into the daemon (mmap at that offset);
 *   <li>{@link #setUnmapNotify}: ask for a byte to be cleared and/or an event to be sent when a
 *       page is released (SET_UNMAP_NOTIFY);
 *   <li>{@link #release}: end the grants of any sub-range of an allocation and unmap it
 *       (DEALLOC_GREF, munmap); the notification fires then.
 * </ol>
 *
 * <p>Implementations are thread-safe. Failures are {@link org.gntfs.GntfsException}s; an
 * allocation either succeeds whole or leaves nothing behind.
 */
public interface GrantBackend extends AutoCloseable {
    /** A short name, as given to {@code --backend}. */
    String name();

    /**
     * Grants {@code pages} new zeroed pages to {@code domid}, read-only for the peer unless
     * {@code writable}, and maps them into the daemon.
     *
     * @throws org.gntfs.GntfsException with {@link org.gntfs.Fault#NO_SPACE} when the pool cannot
     *     supply them all
     */
    GrantAllocation allocate(int domid, boolean writable, int pages);

    /** Ends the grants of pages {@code [first, first + count)} of the allocation and unmaps them. */
    void release(GrantAllocation allocation, int first, int count);

    /** Sets, or with {@link UnmapNotify#NONE} clears, the notification of one page. */
    void setUnmapNotify(GrantAllocation allocation, int page, UnmapNotify notify);

    /** The pool's limit and use, as {@code df} shows them. */
    PoolUsage usage();

    /** Facts a peer needs to find this backend, published as {@code user.gnt.*} on the mount root. */
    ImmutableMap<String, String> properties();

    /** Releases what the backend holds itself. Regions must have released their pages first. */
    @Override
    void close();
}
