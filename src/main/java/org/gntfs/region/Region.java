package org.gntfs.region;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;
import static org.gntfs.grant.GrantAllocation.PAGE_SIZE;

import com.google.common.collect.ImmutableList;
import com.google.common.primitives.ImmutableIntArray;
import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.gntfs.Fault;
import org.gntfs.GntfsException;
import org.gntfs.grant.GrantAllocation;
import org.gntfs.grant.GrantBackend;
import org.gntfs.grant.GrantSpace;
import org.gntfs.grant.UnmapNotify;
import org.gntfs.index.Extent;
import org.gntfs.index.ExtentIndex;
import org.gntfs.nativeio.NativeError;
import org.gntfs.nativeio.Posix;

/**
 * A granted region: {@code size} bytes held in {@code ceil(size / 4096)} pages granted to one
 * domain, found through the offset index. The whole life of its grants is here:
 *
 * <ul>
 *   <li>growing allocates one new extent from the backend, all or nothing, and appends it;
 *   <li>shrinking trims the index and releases the tail's grants (its notification fires);
 *   <li>the region is released, every grant with it, once it is unlinked and its last holder (an
 *       open file, which the kernel keeps while a mapping exists, or a {@link DirectMapping}) is
 *       gone;
 *   <li>its pages come from a grant space of its own, opened at the first allocation and closed
 *       with the release, so that a descriptor of it reaches this region's pages and no others.
 * </ul>
 *
 * <p>Bytes past {@code size} in the last page are kept zero, so a later grow reveals zeros.
 *
 * <p>Locking: {@code lock} guards the contents; reads and in-place writes share it, resizes and
 * grant settings take it exclusively. The holder count and the loans are guarded by the monitor,
 * which is taken after {@code lock}, never before.
 */
public final class Region extends Node {
    /** The largest region size: 16 TiB, far above any grant pool. */
    public static final long MAX_SIZE = 1L << 44;

    private final GrantBackend backend;
    private final Consumer<Region> onRelease;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();

    @GuardedBy("lock")
    private final ExtentIndex index = new ExtentIndex();

    @GuardedBy("lock")
    private GrantSpace space;

    private volatile long size;

    @GuardedBy("lock")
    private int domid;

    @GuardedBy("lock")
    private boolean writable;

    @GuardedBy("lock")
    private RegionNotify notify = RegionNotify.NONE;

    @GuardedBy("this")
    private int holders;

    @GuardedBy("this")
    private boolean linked = true;

    @GuardedBy("this")
    private boolean released;

    /** The direct mappings lent out: each holds the region and pins the pages it covers. */
    @GuardedBy("this")
    private final List<DirectMapping> loans = new ArrayList<>();

    Region(
            long inode,
            String name,
            int permissions,
            int uid,
            int gid,
            Instant now,
            GrantBackend backend,
            int domid,
            boolean writable,
            Consumer<Region> onRelease) {
        super(inode, name, permissions, uid, gid, now);
        this.backend = backend;
        this.domid = domid;
        this.writable = writable;
        this.onRelease = onRelease;
    }

    public long size() {
        return size;
    }

    public static long pagesFor(long bytes) {
        return (bytes + PAGE_SIZE - 1) / PAGE_SIZE;
    }

    public long pages() {
        return pagesFor(size);
    }

    public int domid() {
        return read(() -> domid);
    }

    public boolean writable() {
        return read(() -> writable);
    }

    public RegionNotify notifySpec() {
        return read(() -> notify);
    }

    public ImmutableIntArray grefs() {
        return read(index::grefs);
    }

    /** A consistent view of the grant settings and grefs, for listings. */
    public GrantSummary summary() {
        return read(() -> new GrantSummary(domid, writable, index.grefs()));
    }

    /** What {@code .grants} and {@code gntfs list} show of a region. */
    public record GrantSummary(int domid, boolean writable, ImmutableIntArray grefs) {}

    /** Copies up to {@code length} bytes at {@code offset} to native {@code target}; returns the count. */
    public int read(long offset, long target, int length) {
        checkArgument(offset >= 0 && length >= 0, "bad read of %s at %s", length, offset);
        Lock shared = lock.readLock();
        shared.lock();
        try {
            int count = (int) Math.max(0, Math.min(length, size - offset));
            copy(offset, target, count, false);
            return count;
        } finally {
            shared.unlock();
        }
    }

    /** Copies {@code length} bytes from native {@code source} to {@code offset}, growing the region if needed. */
    public void write(long offset, long source, int length, Instant now) {
        checkArgument(offset >= 0 && length >= 0, "bad write of %s at %s", length, offset);
        long end = offset + length;
        Lock shared = lock.readLock();
        shared.lock();
        try {
            if (end <= size) {
                copy(offset, source, length, true);
                touchModified(now);
                return;
            }
        } finally {
            shared.unlock();
        }
        Lock exclusive = lock.writeLock();
        exclusive.lock();
        try {
            if (end > size) {
                resizeLocked(end);
            }
            copy(offset, source, length, true);
            touchModified(now);
        } finally {
            exclusive.unlock();
        }
    }

    /** Sets the size: grants new zeroed pages to grow, releases the tail's grants to shrink. */
    public void resize(long newSize, Instant now) {
        Lock exclusive = lock.writeLock();
        exclusive.lock();
        try {
            resizeLocked(newSize);
            touchModified(now);
        } finally {
            exclusive.unlock();
        }
    }

    @GuardedBy("lock")
    private void resizeLocked(long newSize) {
        if (newSize < 0 || newSize > MAX_SIZE) {
            throw GntfsException.of(Fault.FILE_TOO_BIG, "size %d is outside 0..%d", newSize, MAX_SIZE);
        }
        checkNotReleased();
        long oldPages = pagesFor(size);
        long newPages = pagesFor(newSize);
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
            checkNotLent(newPages);
            zeroTail(newSize, Math.min(size, newPages * PAGE_SIZE));
            try {
                releasePagesFrom(newPages);
            } catch (RuntimeException e) {
                // The backend gave back only some pages: the region ends where those it kept end.
                size = Math.min(size, index.endPage() * PAGE_SIZE);
                throw e;
            }
        }
        size = newSize;
    }

    @GuardedBy("lock")
    private void zeroTail(long from, long to) {
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
     * owns what it could not give back, and a later shrink or unlink tries again.
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

    /** Sets the domain the pages go to; fixed once the region has pages. */
    public void setDomid(int newDomid) {
        changeGrantSetting(() -> domid = newDomid, "domid");
    }

    /** Sets whether the peer may write; fixed once the region has pages. */
    public void setWritable(boolean newWritable) {
        changeGrantSetting(() -> writable = newWritable, "writable");
    }

    private void changeGrantSetting(Runnable change, String what) {
        Lock exclusive = lock.writeLock();
        exclusive.lock();
        try {
            if (index.size() > 0) {
                throw GntfsException.of(Fault.BUSY, "the %s of %s is fixed while it has pages", what, name());
            }
            change.run();
        } finally {
            exclusive.unlock();
        }
    }

    /** Sets, replaces or clears the unmap notification. */
    public void setNotify(RegionNotify wanted) {
        Lock exclusive = lock.writeLock();
        exclusive.lock();
        try {
            if (!wanted.isNone() && (wanted.page() >= pagesFor(size) || wanted.byteOffset() >= size)) {
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
        } finally {
            exclusive.unlock();
        }
    }

    @GuardedBy("lock")
    private void setPageNotify(long page, UnmapNotify pageNotify) {
        Extent extent = index.find(page);
        space.setUnmapNotify(extent.allocation(), extent.allocationPage(page), pageNotify);
    }

    /**
     * Lends the region's pages to a process that maps them itself: a descriptor of the region's
     * grant space and where each part of the region lies in it. The loan holds the region until
     * closed.
     *
     * @throws GntfsException {@link Fault#INVALID_ARGUMENT} for a region without pages, which has
     *     nothing to map
     */
    public DirectMapping lend(boolean write) {
        Lock shared = lock.readLock();
        shared.lock();
        try {
            if (index.size() == 0) {
                throw GntfsException.of(Fault.INVALID_ARGUMENT, "region %s is empty: there is nothing to map", path());
            }
            int descriptor = space.openDescriptor(write);
            DirectMapping loan = new DirectMapping(this, size, write, domid, segments(), index.grefs(), descriptor);
            synchronized (this) {
                try {
                    checkNotReleased();
                } catch (GntfsException e) {
                    closeQuietly(loan);
                    throw e;
                }
                holders++;
                loans.add(loan);
            }
            return loan;
        } finally {
            shared.unlock();
        }
    }

    /** Where the pages lie in the space's descriptor, in region order, contiguous runs merged. */
    @GuardedBy("lock")
    private ImmutableList<DirectMapping.Segment> segments() {
        ImmutableList.Builder<DirectMapping.Segment> segments = ImmutableList.builder();
        long start = 0;
        long length = 0;
        long at = 0;
        for (Extent extent : index.extents()) {
            long offset = extent.allocation().deviceOffset() + (long) extent.allocationStart() * PAGE_SIZE;
            long bytes = (long) extent.pageCount() * PAGE_SIZE;
            if (length > 0 && at + length == offset) {
                length += bytes;
                continue;
            }
            if (length > 0) {
                segments.add(new DirectMapping.Segment(start, length, at));
            }
            start = extent.firstPage() * PAGE_SIZE;
            length = bytes;
            at = offset;
        }
        segments.add(new DirectMapping.Segment(start, length, at));
        return segments.build();
    }

    private static void closeQuietly(DirectMapping loan) {
        try {
            loan.closeDescriptor();
        } catch (NativeError e) {
            // The loan never started: its descriptor is the only thing to give back.
        }
    }

    /** Ends a loan made by {@link #lend}. */
    void endLoan(DirectMapping loan) {
        synchronized (this) {
            checkState(loans.remove(loan), "%s is not lent from %s", loan, name());
        }
        unhold();
    }

    /** A shrink may not release a page that a borrower maps. */
    @GuardedBy("lock")
    private synchronized void checkNotLent(long newPages) {
        for (DirectMapping loan : loans) {
            if (loan.pages() > newPages) {
                throw GntfsException.of(Fault.BUSY, "region %s is mapped directly over its first %d pages",
                        name(), loan.pages());
            }
        }
    }

    /** How many direct mappings are lent out. */
    public synchronized int loanCount() {
        return loans.size();
    }

    /** Takes a hold: an open file keeps the grants alive past unlink. */
    public synchronized void hold() {
        checkNotReleased();
        holders++;
    }

    /**
     * A caller that found the region by name just before another removed it (open or truncate
     * racing with unlink or rename) comes too late: as if the name had gone first.
     */
    private synchronized void checkNotReleased() {
        if (released) {
            throw GntfsException.of(Fault.NOT_FOUND, "region %s was removed meanwhile", name());
        }
    }

    /** Drops a hold; the last one on an unlinked region releases it. */
    public void unhold() {
        boolean release;
        synchronized (this) {
            checkState(holders > 0, "region %s is not held", name());
            holders--;
            release = holders == 0 && !linked;
        }
        if (release) {
            release();
        }
    }

    /** The name is gone; the grants go with the last holder. */
    void markUnlinked() {
        boolean release;
        synchronized (this) {
            linked = false;
            release = holders == 0;
        }
        if (release) {
            release();
        }
    }

    /** Whether an open file holds the region. */
    public synchronized boolean isHeld() {
        return holders > 0;
    }

    public synchronized boolean isLinked() {
        return linked;
    }

    /** Whether its grants are gone: unlinked and no longer held, or unmounted. */
    public synchronized boolean isReleased() {
        return released;
    }

    /** Releases every grant now, whoever holds the region. Idempotent once it has succeeded. */
    void release() {
        synchronized (this) {
            if (released) {
                return;
            }
            released = true;
        }
        Lock exclusive = lock.writeLock();
        exclusive.lock();
        try {
            releasePagesFrom(0);
            size = 0;
            if (space != null) {
                space.close();
                space = null;
            }
        } catch (RuntimeException e) {
            // The pages the backend kept are still the region's; a later release tries again.
            synchronized (this) {
                released = false;
            }
            throw e;
        } finally {
            exclusive.unlock();
        }
        onRelease.accept(this);
    }

    private <T> T read(Supplier<T> getter) {
        Lock shared = lock.readLock();
        shared.lock();
        try {
            return getter.get();
        } finally {
            shared.unlock();
        }
    }
}
