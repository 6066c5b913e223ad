package org.gntfs.grant.sim;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkPositionIndexes;
import static com.google.common.base.Preconditions.checkState;
import static org.gntfs.protocol.Pages.PAGE_SIZE;

import com.google.common.primitives.ImmutableIntArray;
import com.google.common.primitives.ImmutableLongArray;
import com.google.errorprone.annotations.concurrent.GuardedBy;
import com.google.common.collect.ImmutableList;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.gntfs.Fault;
import org.gntfs.GntfsException;
import org.gntfs.grant.GrantAllocation;
import org.gntfs.grant.GrantSpace;
import org.gntfs.grant.LentDescriptors;
import org.gntfs.grant.UnmapNotify;
import org.gntfs.nativeio.NativeError;
import org.gntfs.nativeio.Posix;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One space of a simulated grant table, used the way gntalloc uses one open file: a region's
 * allocations, numbered by a frame counter that only grows. Each allocation is a memfd of its
 * own, made at exactly its pages, mode 0600 and sealed against any change of size: a client
 * handed a read-write descriptor can store into those frames and nowhere else (a write past them
 * fails, a truncate is refused), and cannot pull them from under the daemon's or the peer's
 * mappings. A release unmaps the pages and punches their memory out, unless a peer still maps
 * them; once none of an allocation's pages is left, its memfd is closed, so the daemon holds a
 * descriptor per allocation still in use, not per growth the region ever had.
 *
 * <p>All state is guarded by the table's monitor, which every grant operation takes anyway.
 */
final class SimulatedSpace implements GrantSpace {
    private static final Logger log = LoggerFactory.getLogger(SimulatedSpace.class);

    private final SimulatedGrantTable table;

    /** Each allocation's memfd and how many of its pages are still granted, by device offset. */
    @GuardedBy("table")
    private final Map<Long, AllocationFile> files = new HashMap<>();

    /** gntalloc's {@code index}, in pages: where the next allocation is numbered. */
    @GuardedBy("table")
    private long nextPage;

    @GuardedBy("table")
    private boolean closed;

    /** One allocation's memfd: frame i of the allocation is at byte i * 4096. */
    private static final class AllocationFile {
        final int fd;
        final String name;
        int livePages;

        AllocationFile(int fd, String name, int livePages) {
            this.fd = fd;
            this.name = name;
            this.livePages = livePages;
        }
    }

    SimulatedSpace(SimulatedGrantTable table) {
        this.table = table;
    }

    @Override
    public GrantAllocation allocate(int domid, boolean writable, int pages) {
        checkArgument(pages > 0, "cannot allocate %s pages", pages);
        synchronized (table) {
            checkState(!closed, "this space is closed");
            if (nextPage + pages > TableLayout.MAX_SPACE_PAGES) {
                throw GntfsException.of(Fault.NO_SPACE, "this space has handed out all its %d frames", TableLayout.MAX_SPACE_PAGES);
            }
            int[] refs = table.takeRefs(pages);
            long id = table.newSpaceId();
            String name = table.spaceName(id);
            int fd = -1;
            long base;
            try {
                fd = Posix.memfdOfFixedSize(name, (long) pages * PAGE_SIZE);
                base = Posix.mmapShared(fd, 0, (long) pages * PAGE_SIZE);
            } catch (NativeError e) {
                if (fd >= 0) {
                    Posix.closeQuietly(fd);
                }
                table.untakeRefs(refs);
                throw GntfsException.causedBy(e, "could not make %d frames in %s: %s", pages, name, e.getMessage());
            }
            long[] addresses = new long[pages];
            for (int i = 0; i < pages; i++) {
                table.grant(refs[i], domid, writable, id, fd, i);
                addresses[i] = base + (long) i * PAGE_SIZE;
            }
            long offset = TableLayout.frameOffset(nextPage);
            nextPage += pages;
            files.put(offset, new AllocationFile(fd, name, pages));
            return new GrantAllocation(domid, writable, offset, ImmutableIntArray.copyOf(refs), ImmutableLongArray.copyOf(addresses));
        }
    }

    /**
     * Ends the grants last page first (the free stack then hands the run back in ascending order),
     * unmaps the daemon's view and frees the frames no peer maps; the allocation's memfd goes with
     * its last page. Once the grants are ended the release has happened: an unmap or hole punch
     * the kernel refuses only costs memory until the memfd closes, and is logged.
     */
    @Override
    public void release(GrantAllocation allocation, int first, int count) {
        checkPositionIndexes(first, first + count, allocation.pages());
        synchronized (table) {
            checkState(!closed, "this space is closed");
            AllocationFile file = fileOf(allocation);
            boolean[] peerMapped = new boolean[count];
            for (int page = first + count - 1; page >= first; page--) {
                peerMapped[page - first] = table.endGrant(allocation.gref(page), allocation.pageAddress(page));
            }
            try {
                Posix.munmap(allocation.pageAddress(first), (long) count * PAGE_SIZE);
                for (int start = 0; start < count; start++) {
                    int end = start;
                    while (end < count && !peerMapped[end]) {
                        end++;
                    }
                    if (end > start) {
                        Posix.punchHole(file.fd, (long) (first + start) * PAGE_SIZE, (long) (end - start) * PAGE_SIZE);
                    }
                    start = end;
                }
            } catch (NativeError e) {
                log.warn("released pages {}-{} of {}, but their memory stays until the region goes: {}",
                        first, first + count - 1, allocation, e.getMessage());
            }
            file.livePages -= count;
            if (file.livePages == 0) {
                files.remove(allocation.deviceOffset());
                Posix.closeQuietly(file.fd);
            }
        }
    }

    @GuardedBy("table")
    private AllocationFile fileOf(GrantAllocation allocation) {
        AllocationFile file = files.get(allocation.deviceOffset());
        checkState(file != null, "%s is not an allocation of this space, or is released", allocation);
        return file;
    }

    @Override
    public void setUnmapNotify(GrantAllocation allocation, int page, UnmapNotify notify) {
        synchronized (table) {
            checkState(!closed, "this space is closed");
            table.setUnmapNotify(allocation.gref(page), notify);
        }
    }

    /**
     * A new open of each allocation's memfd, read-only unless {@code write}: the kernel then
     * refuses a writable shared mapping, and a reopen through {@code /proc} by another uid (the
     * memfd is 0600), and a write reaches the allocation's own frames only.
     */
    @Override
    public LentDescriptors openDescriptors(List<GrantAllocation> allocations, boolean write) {
        synchronized (table) {
            checkState(!closed, "this space is closed");
            int[] descriptors = new int[allocations.size()];
            ImmutableList.Builder<LentDescriptors.Placement> placements = ImmutableList.builder();
            int opened = 0;
            try {
                for (GrantAllocation allocation : allocations) {
                    AllocationFile file = fileOf(allocation);
                    descriptors[opened] = Posix.open(Path.of("/proc/self/fd", Integer.toString(file.fd)),
                            write ? Posix.O_RDWR : Posix.O_RDONLY, 0);
                    placements.add(new LentDescriptors.Placement(opened++, 0));
                }
            } catch (NativeError | RuntimeException e) {
                for (int i = 0; i < opened; i++) {
                    Posix.closeQuietly(descriptors[i]);
                }
                throw e instanceof NativeError native_ ? GntfsException.causedBy(Fault.IO_ERROR, native_, "%s", e.getMessage())
                        : (RuntimeException) e;
            }
            return new LentDescriptors(ImmutableIntArray.copyOf(descriptors), placements.build());
        }
    }

    /** Closes the memfds left: frames that peers or clients still map live on until they unmap. */
    @Override
    public void close() {
        synchronized (table) {
            if (closed) {
                return;
            }
            closed = true;
            table.spaceClosed(this);
            files.values().forEach(file -> Posix.closeQuietly(file.fd));
            files.clear();
        }
    }

    @Override
    public String toString() {
        synchronized (table) {
            return "a simulated space of " + files.size() + " live allocations";
        }
    }
}
