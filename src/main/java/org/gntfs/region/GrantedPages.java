package org.gntfs.region;

import static com.google.common.base.Preconditions.checkArgument;
import static org.gntfs.protocol.Pages.PAGE_SIZE;

import com.google.common.collect.ImmutableList;
import com.google.common.primitives.ImmutableIntArray;
import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.util.List;
import org.gntfs.Fault;
import org.gntfs.GntfsException;
import org.gntfs.grant.GrantAllocation;
import org.gntfs.grant.GrantBackend;
import org.gntfs.grant.GrantSpace;
import org.gntfs.grant.LentDescriptors;
import org.gntfs.grant.UnmapNotify;
import org.gntfs.index.Extent;
import org.gntfs.index.ExtentIndex;
import org.gntfs.nativeio.Posix;
import org.gntfs.protocol.Pages;
import org.gntfs.protocol.Segment;

/**
 * The pages of one region: the bytes copied in and out, the offset index that finds them, the
 * grant space they come from, and the grant settings and notify they carry.
 *
 * <ul>
 *   <li>growing allocates one new extent from the space, all or nothing, and appends it;
 *   <li>shrinking zeroes the tail of the last kept page, trims the index and releases the removed
 *       extents' grants (their notification fires);
 *   <li>zeroing a range (fallocate's punch and zero range) clears the bytes in place: the pages
 *       and their grants stay, since a peer may map them by gref at any time;
 *   <li>{@link #release} gives every page back and closes the space.
 * </ul>
 *
 * <p>Bytes past {@code size} in the last page are kept zero, so a later grow reveals zeros.
 *
 * <p>Locking: {@code lock} guards everything here; reads and in-place writes share it, resizes,
 * grant settings and the release take it exclusively. The region's {@link RegionHolds} monitor
 * may be taken while {@code lock} is held, never the other way round.
 */
final class GrantedPages {
    private final Region region;
    private final GrantBackend backend;
    private final RegionHolds holds;
    private final ReadWriteGuard lock = new ReadWriteGuard();

    @GuardedBy("lock")
    private final ExtentIndex index = new ExtentIndex();

    @GuardedBy("lock")
    private GrantSpace space;

    @GuardedBy("lock")
    private boolean released;

    private volatile long size;

    @GuardedBy("lock")
    private int domid;

    @GuardedBy("lock")
    private boolean writable;

    @GuardedBy("lock")
    private RegionNotify notify = RegionNotify.NONE;

    GrantedPages(Region region, GrantBackend backend, RegionHolds holds, int domid, boolean writable) {
        this.region = region;
        this.backend = backend;
        this.holds = holds;
        this.domid = domid;
        this.writable = writable;
    }

    long size() {
        return size;
    }

    int domid() {
        return lock.shared(() -> domid);
    }

    boolean writable() {
        return lock.shared(() -> writable);
    }

    RegionNotify notifySpec() {
        return lock.shared(() -> notify);
    }

    ImmutableIntArray grefs() {
        return lock.shared(index::grefs);
    }

    Region.GrantSummary summary() {
        return lock.shared(() -> new Region.GrantSummary(domid, writable, index.grefs()));
    }

    int read(long offset, long target, int length) {
        checkArgument(offset >= 0 && length >= 0, "bad read of %s at %s", length, offset);
        return lock.shared(() -> {
            int count = (int) Math.max(0, Math.min(length, size - offset));
            copy(offset, target, count, false);
            return count;
        });
    }

    /** Copies into the pages; whether it grew them. An in-place write shares the lock. */
    void write(long offset, long source, int length) {
        checkArgument(offset >= 0 && length >= 0, "bad write of %s at %s", length, offset);
        long end = offset + length;
        boolean done = lock.shared(() -> {
            if (end > size) {
                return false;
            }
            copy(offset, source, length, true);
            return true;
        });
        if (!done) {
            lock.runExclusive(() -> {
                if (end > size) {
                    resizeLocked(end);
                }
                copy(offset, source, length, true);
            });
        }
    }

    void resize(long newSize) {
        lock.runExclusive(() -> resizeLocked(newSize));
    }

    /** Grows to {@code newSize} as {@link #resize} does, if the region is smaller; never shrinks. */
    void extend(long newSize) {
        lock.runExclusive(() -> {
            if (newSize > size) {
                resizeLocked(newSize);
            }
        });
    }

    /**
     * Zeroes the bytes of {@code [from, to)} that lie inside the region; nothing past the size,
     * where no page is. Shares the lock, as an in-place write does.
     */
    void zero(long from, long to) {
        checkArgument(0 <= from && from <= to, "bad range %s..%s", from, to);
        lock.runShared(() -> zeroBytes(from, Math.min(to, size)));
    }

    @GuardedBy("lock")
    private void resizeLocked(long newSize) {
        if (newSize < 0 || newSize > Region.MAX_SIZE) {
            throw GntfsException.of(Fault.FILE_TOO_BIG, "size %d is outside 0..%d", newSize, Region.MAX_SIZE);
        }
        holds.checkNotReleased();
        long oldPages = Pages.pagesFor(size);
        long newPages = Pages.pagesFor(newSize);
        if (newPages > oldPages) {
            long added = newPages - oldPages;
            if (added > Integer.MAX_VALUE) {
                throw GntfsException.of(Fault.NO_SPACE, "%d pages is more than any grant pool", added);
            }
            if (space == null) {
                space = backend.openSpace();
            }
            index.append(space.allocate(domid, writable, (int) added));
        } else if (newSize < size) {
            holds.checkNotLentForWriting(newPages);
            shrinkLocked(newSize);
        }
        size = newSize;
    }

    @GuardedBy("lock")
    private void shrinkLocked(long newSize) {
        long newPages = Pages.pagesFor(newSize);
        zeroBytes(newSize, Math.min(size, newPages * PAGE_SIZE));
        try {
            releasePagesFrom(newPages);
        } catch (RuntimeException e) {
            // The backend gave back only some pages: the region ends where those it kept end.
            size = Math.min(size, index.endPage() * PAGE_SIZE);
            throw e;
        }
    }

    @GuardedBy("lock")
    private void zeroBytes(long from, long to) {
        for (long offset = from; offset < to; ) {
            long page = offset / PAGE_SIZE;
            int inPage = (int) (offset % PAGE_SIZE);
            int count = (int) Math.min(to - offset, PAGE_SIZE - inPage);
            Posix.MEMORY.setMemory(index.find(page).pageAddress(page) + inPage, count, (byte) 0);
            offset += count;
        }
    }

    /**
     * Releases the grants of every page from {@code page} on, last extent first. An extent leaves
     * the index only once the backend has released it, so if the backend fails, the region still
     * owns what it could not give back, and a later shrink or release tries again.
     */
    @GuardedBy("lock")
    private void releasePagesFrom(long page) {
        index.splitAt(page);
        for (Extent extent = index.last(); extent != null && extent.firstPage() >= page; extent = index.last()) {
            space.release(extent.allocation(), extent.allocationStart(), extent.pageCount());
            index.removeFrom(extent.firstPage());
            if (!notify.isNone() && notify.page() >= extent.firstPage()) {
                notify = RegionNotify.NONE;
            }
        }
    }

    @GuardedBy("lock")
    private void copy(long offset, long memory, int length, boolean intoRegion) {
        int done = 0;
        while (done < length) {
            long position = offset + done;
            long page = position / PAGE_SIZE;
            int inPage = (int) (position % PAGE_SIZE);
            int count = Math.min(length - done, PAGE_SIZE - inPage);
            long pageAddress = index.find(page).pageAddress(page) + inPage;
            if (intoRegion) {
                Posix.MEMORY.copyMemory(memory + done, pageAddress, count);
            } else {
                Posix.MEMORY.copyMemory(pageAddress, memory + done, count);
            }
            done += count;
        }
    }

    void setDomid(int newDomid) {
        changeGrantSetting(() -> domid = newDomid, "domid");
    }

    void setWritable(boolean newWritable) {
        changeGrantSetting(() -> writable = newWritable, "writable");
    }

    private void changeGrantSetting(Runnable change, String what) {
        lock.runExclusive(() -> {
            if (index.size() > 0) {
                throw GntfsException.of(Fault.BUSY, "the %s of %s is fixed while it has pages", what, region.name());
            }
            change.run();
        });
    }

    void setNotify(RegionNotify wanted) {
        lock.runExclusive(() -> {
            if (!wanted.isNone() && (wanted.page() >= Pages.pagesFor(size) || wanted.byteOffset() >= size)) {
                throw GntfsException.of(
                        Fault.INVALID_ARGUMENT, "notify '%s' is outside the %d-byte region", wanted.format(), size);
            }
            // Arm the new one first: if the backend refuses it, the old one stays armed, as shown.
            if (!wanted.isNone()) {
                setPageNotify(wanted.page(), wanted.forPage());
            }
            if (!notify.isNone() && (wanted.isNone() || notify.page() != wanted.page())) {
                setPageNotify(notify.page(), UnmapNotify.NONE);
            }
            notify = wanted;
        });
    }

    @GuardedBy("lock")
    private void setPageNotify(long page, UnmapNotify pageNotify) {
        Extent extent = index.find(page);
        space.setUnmapNotify(extent.allocation(), extent.allocationPage(page), pageNotify);
    }

    /** A loan of the pages as they are now, registered with the holds while the lock is held. */
    DirectMapping lend(boolean write) {
        return lock.shared(() -> {
            if (index.size() == 0) {
                throw GntfsException.of(
                        Fault.INVALID_ARGUMENT, "region %s is empty: there is nothing to map", region.path());
            }
            List<GrantAllocation> allocations = index.extents().stream()
                    .map(Extent::allocation)
                    .distinct()
                    .toList();
            LentDescriptors descriptors = space.openDescriptors(allocations, write);
            DirectMapping loan = new DirectMapping(region, size, write, domid,
                    segments(allocations, descriptors), index.grefs(), descriptors.descriptors());
            holds.addLoan(loan);
            return loan;
        });
    }

    /**
     * Where the pages lie in the descriptors, in region order, runs that continue in the same
     * descriptor merged.
     */
    @GuardedBy("lock")
    private ImmutableList<Segment> segments(List<GrantAllocation> allocations, LentDescriptors descriptors) {
        ImmutableList.Builder<Segment> segments = ImmutableList.builder();
        Segment run = null;
        for (Extent extent : index.extents()) {
            LentDescriptors.Placement placement = descriptors.placements().get(allocations.indexOf(extent.allocation()));
            long at = placement.offset() + (long) extent.allocationStart() * PAGE_SIZE;
            long bytes = (long) extent.pageCount() * PAGE_SIZE;
            if (run != null && run.descriptor() == placement.descriptor() && run.descriptorOffset() + run.length() == at) {
                run = new Segment(run.regionOffset(), run.length() + bytes, run.descriptor(), run.descriptorOffset());
                continue;
            }
            if (run != null) {
                segments.add(run);
            }
            run = new Segment(extent.firstPage() * PAGE_SIZE, bytes, placement.descriptor(), at);
        }
        segments.add(run);
        return segments.build();
    }

    /**
     * Gives every page back and closes the space; whether this call did it (false once done).
     * If the backend fails, the pages it kept stay here and a later call tries again.
     */
    boolean release() {
        return lock.exclusive(() -> {
            if (released) {
                return false;
            }
            shrinkLocked(0);
            size = 0;
            if (space != null) {
                space.close();
                space = null;
            }
            released = true;
            return true;
        });
    }

    boolean isReleased() {
        return lock.shared(() -> released);
    }
}
