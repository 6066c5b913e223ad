package org.gntfs.grant;

import java.util.List;

/**
 * One region's own share of a backend, as one open file of gntalloc is: its allocations are
 * numbered by byte offset in one descriptor, which can be handed to another process whole and
 * reaches no other space's pages. The calls follow gntalloc's life of a grant:
 *
 * <ol>
 *   <li>{@link #allocate}: grant n new zeroed pages to a domain (ALLOC_GREF), getting their grant
 *       references and their offset in the space, and map them into the daemon (mmap at that
 *       offset);
 *   <li>{@link #setUnmapNotify}: ask for a byte to be cleared and/or an event to be sent when a
 *       page is released (SET_UNMAP_NOTIFY);
 *   <li>{@link #release}: end the grants of any sub-range of an allocation and unmap it
 *       (DEALLOC_GREF, munmap); the notification fires then;
 *   <li>{@link #close}: give the space itself back, once all its pages are released.
 * </ol>
 *
 * <p>Implementations are thread-safe. Failures are {@link org.gntfs.GntfsException}s; an
 * allocation either succeeds whole or leaves nothing behind.
 */
public interface GrantSpace extends AutoCloseable {
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

    /**
     * New descriptors of this space for another process, reaching the pages of
     * {@code allocations} (allocations of this space, their pages not yet released): an mmap of a
     * descriptor at an allocation's placement gives that allocation's very pages. Without
     * {@code write}, the descriptors refuse writable shared mappings where the backend can enforce
     * it (see {@link GrantBackend#enforcesReadOnlyDescriptors()}). The caller closes them.
     */
    LentDescriptors openDescriptors(List<GrantAllocation> allocations, boolean write);

    /** Gives the space back. Its pages must have been released; descriptors handed out stay valid. */
    @Override
    void close();
}
