package org.gntfs.grant.sim;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkPositionIndexes;
import static com.google.common.base.Preconditions.checkState;
import static org.gntfs.protocol.Pages.PAGE_SIZE;

import com.google.common.primitives.ImmutableIntArray;
import com.google.common.primitives.ImmutableLongArray;
import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.nio.file.Path;
import org.gntfs.Fault;
import org.gntfs.GntfsException;
import org.gntfs.grant.GrantAllocation;
import org.gntfs.grant.GrantSpace;
import org.gntfs.grant.UnmapNotify;
import org.gntfs.nativeio.NativeError;
import org.gntfs.nativeio.Posix;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One space of a simulated grant table: a memfd holding a region's frames, used the way gntalloc
 * uses one open file. Allocations take the next pages of the file, never reused, and the daemon
 * maps each where it lies; a release unmaps the pages and frees their memory, unless a peer
 * still maps them, which keeps them until the memfd is gone and the peer unmaps.
 *
 * <p>The memfd has its full size from the start, sparse, and is sealed against any change of
 * size: a client handed a read-write descriptor can store into the frames, but cannot truncate
 * them from under the daemon's or the peer's mappings (which would turn their next access into
 * SIGBUS).
 *
 * <p>All state is guarded by the table's monitor, which every grant operation takes anyway.
 */
final class SimulatedSpace implements GrantSpace {
    private static final Logger log = LoggerFactory.getLogger(SimulatedSpace.class);

    private final SimulatedGrantTable table;
    private final long id;
    private final String name;

    /** The memfd, made at the first allocation; -1 before. */
    @GuardedBy("table")
    private int fd = -1;

    /** gntalloc's {@code index}, in pages: where the next allocation goes. */
    @GuardedBy("table")
    private long nextPage;

    @GuardedBy("table")
    private boolean closed;

    SimulatedSpace(SimulatedGrantTable table, long id) {
        this.table = table;
        this.id = id;
        this.name = table.spaceName(id);
    }

    @Override
    public GrantAllocation allocate(int domid, boolean writable, int pages) {
        checkArgument(pages > 0, "cannot allocate %s pages", pages);
        synchronized (table) {
            checkState(!closed, "space %s is closed", name);
            if (nextPage + pages > TableLayout.MAX_SPACE_PAGES) {
                throw GntfsException.of(Fault.NO_SPACE, "space %s has handed out all its %d frames", name, TableLayout.MAX_SPACE_PAGES);
            }
            int[] refs = table.takeRefs(pages);
            long base;
            try {
                base = mapNewPages(pages);
            } catch (NativeError e) {
                table.untakeRefs(refs);
                throw GntfsException.causedBy(e, "could not make %d frames in %s: %s", pages, name, e.getMessage());
            }
            long[] addresses = new long[pages];
            for (int i = 0; i < pages; i++) {
                table.grant(refs[i], domid, writable, id, fd, nextPage + i);
                addresses[i] = base + (long) i * PAGE_SIZE;
            }
            long offset = TableLayout.frameOffset(nextPage);
            nextPage += pages;
            return new GrantAllocation(domid, writable, offset, ImmutableIntArray.copyOf(refs), ImmutableLongArray.copyOf(addresses));
        }
    }

    /** Maps the next {@code pages} frames, zero as never touched; the first call makes the memfd. */
    @GuardedBy("table")
    private long mapNewPages(int pages) throws NativeError {
        if (fd < 0) {
            fd = Posix.memfdOfFixedSize(name, TableLayout.frameOffset(TableLayout.MAX_SPACE_PAGES));
        }
        return Posix.mmapShared(fd, TableLayout.frameOffset(nextPage), (long) pages * PAGE_SIZE);
    }

    /**
     * Ends the grants last page first (the free stack then hands the run back in ascending order),
     * unmaps the daemon's view and frees the frames no peer maps. Once the grants are ended the
     * release has happened: an unmap or hole punch the kernel refuses only costs memory until the
     * space closes, and is logged.
     */
    @Override
    public void release(GrantAllocation allocation, int first, int count) {
        checkPositionIndexes(first, first + count, allocation.pages());
        synchronized (table) {
            checkState(!closed, "space %s is closed", name);
            boolean[] peerMapped = new boolean[count];
            for (int page = first + count - 1; page >= first; page--) {
                peerMapped[page - first] = table.endGrant(allocation.gref(page), allocation.pageAddress(page));
            }
            try {
                Posix.munmap(allocation.pageAddress(first), (long) count * PAGE_SIZE);
                long firstFrame = allocation.deviceOffset() / PAGE_SIZE + first;
                for (int start = 0; start < count; start++) {
                    int end = start;
                    while (end < count && !peerMapped[end]) {
                        end++;
                    }
                    if (end > start) {
                        Posix.punchHole(fd, TableLayout.frameOffset(firstFrame + start), (long) (end - start) * PAGE_SIZE);
                    }
                    start = end;
                }
            } catch (NativeError e) {
                log.warn("released pages {}-{} of {}, but their memory stays until the region goes: {}",
                        first, first + count - 1, allocation, e.getMessage());
            }
        }
    }

    @Override
    public void setUnmapNotify(GrantAllocation allocation, int page, UnmapNotify notify) {
        synchronized (table) {
            checkState(!closed, "space %s is closed", name);
            table.setUnmapNotify(allocation.gref(page), notify);
        }
    }

    /** A new open of the memfd: read-only unless {@code write}, so that it maps no more than that. */
    @Override
    public int openDescriptor(boolean write) {
        synchronized (table) {
            if (closed || fd < 0) {
                throw GntfsException.of(Fault.INVALID_ARGUMENT, "space %s has no frames", name);
            }
            try {
                return Posix.open(Path.of("/proc/self/fd", Integer.toString(fd)), write ? Posix.O_RDWR : Posix.O_RDONLY, 0);
            } catch (NativeError e) {
                throw GntfsException.causedBy(Fault.IO_ERROR, e, "%s", e.getMessage());
            }
        }
    }

    /** Closes the memfd: frames that peers or clients still map live on until they unmap. */
    @Override
    public void close() {
        synchronized (table) {
            if (closed) {
                return;
            }
            closed = true;
            table.spaceClosed(this);
            if (fd < 0) {
                return;
            }
            try {
                Posix.close(fd);
            } catch (NativeError e) {
                log.warn("could not close {}: {}", name, e.getMessage());
            }
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
