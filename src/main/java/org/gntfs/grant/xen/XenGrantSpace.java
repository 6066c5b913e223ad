package org.gntfs.grant.xen;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkPositionIndexes;
import static com.google.common.base.Preconditions.checkState;
import static org.gntfs.protocol.Pages.PAGE_SIZE;

import com.google.common.collect.ImmutableList;
import com.google.common.primitives.ImmutableIntArray;
import com.google.common.primitives.ImmutableLongArray;
import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jnr.constants.platform.Errno;
import org.gntfs.Fault;
import org.gntfs.GntfsException;
import org.gntfs.grant.GrantAllocation;
import org.gntfs.grant.GrantSpace;
import org.gntfs.grant.LentDescriptors;
import org.gntfs.grant.UnmapNotify;
import org.gntfs.nativeio.NativeError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One region's open file of {@code /dev/xen/gntalloc}, opened at its first allocation. An
 * allocation is one ALLOC_GREF, mapped whole into the daemon; a release is DEALLOC_GREF of the
 * sub-range, then the end of its mapping, which frees the pages and fires their unmap
 * notification. A descriptor handed out is this very file, so that a client's mmap at an
 * allocation's index reaches exactly this region's grants.
 */
final class XenGrantSpace implements GrantSpace {
    private static final Logger log = LoggerFactory.getLogger(XenGrantSpace.class);

    private final XenGrantBackend backend;

    @GuardedBy("this")
    private GntallocDevice device;

    /** The pages still held of each allocation, by its device offset. */
    @GuardedBy("this")
    private final Map<Long, BitSet> livePages = new HashMap<>();

    @GuardedBy("this")
    private boolean closed;

    XenGrantSpace(XenGrantBackend backend) {
        this.backend = backend;
    }

    @Override
    public synchronized GrantAllocation allocate(int domid, boolean writable, int pages) {
        checkArgument(pages > 0, "cannot allocate %s pages", pages);
        checkState(!closed, "the gntalloc space is closed");
        GntallocDevice.Grants grants;
        try {
            if (device == null) {
                device = GntallocDevice.open();
            }
            grants = device.allocate(domid, writable, pages);
        } catch (NativeError e) {
            throw backend.allocationFailure(e, pages);
        }
        long base;
        try {
            base = device.map(grants.index(), pages);
        } catch (NativeError e) {
            // All or nothing: the grants were made, so they are ended before the failure is told.
            deallocateAfterFailure(grants.index(), pages);
            throw GntfsException.causedBy(e, "granted %d pages but could not map them: %s", pages, e.getMessage());
        }
        backend.granted(pages);
        BitSet live = new BitSet(pages);
        live.set(0, pages);
        livePages.put(grants.index(), live);
        ImmutableLongArray.Builder addresses = ImmutableLongArray.builder(pages);
        for (int page = 0; page < pages; page++) {
            addresses.add(base + (long) page * PAGE_SIZE);
        }
        return new GrantAllocation(domid, writable, grants.index(), grants.grefs(), addresses.build());
    }

    @GuardedBy("this")
    private void deallocateAfterFailure(long index, int pages) {
        try {
            device.deallocate(index, pages);
        } catch (NativeError e) {
            log.warn("could not end the grants of {} unmapped pages at {}; they go when the region does: {}",
                    pages, index, e.getMessage());
        }
    }

    @Override
    public synchronized void release(GrantAllocation allocation, int first, int count) {
        checkPositionIndexes(first, first + count, allocation.pages());
        BitSet live = livePages.get(allocation.deviceOffset());
        checkState(live != null && live.get(first, first + count).cardinality() == count,
                "pages %s-%s of %s are not all held", first, first + count - 1, allocation);
        long index = allocation.deviceOffset() + (long) first * PAGE_SIZE;
        try {
            device.deallocate(index, count);
        } catch (NativeError e) {
            throw GntfsException.causedBy(Fault.IO_ERROR, e, "could not end the grants of pages %d-%d of %s: %s",
                    first, first + count - 1, allocation, e.getMessage());
        }
        backend.ended(count);
        live.clear(first, first + count);
        if (live.isEmpty()) {
            livePages.remove(allocation.deviceOffset());
        }
        try {
            GntallocDevice.unmap(allocation.pageAddress(first), count);
        } catch (NativeError e) {
            // The grants are ended; only this mapping remains, and it goes when the daemon exits.
            throw GntfsException.causedBy(Fault.IO_ERROR, e, "could not unmap pages %d-%d of %s: %s",
                    first, first + count - 1, allocation, e.getMessage());
        }
        remapLiveRuns(allocation, live);
    }

    /**
     * gntalloc frees the pages of a mapping only once every part of it is unmapped, so the
     * released pages of a partly unmapped allocation would stay granted as long as its kept
     * pages. Mapping each run of kept pages anew over itself ends the old mapping whole: the
     * released pages go now, the kept ones stay where they are, with their bytes.
     */
    @GuardedBy("this")
    private void remapLiveRuns(GrantAllocation allocation, BitSet live) {
        for (int start = live.nextSetBit(0); start >= 0; start = live.nextSetBit(live.nextClearBit(start))) {
            int end = live.nextClearBit(start);
            device.remapInPlace(allocation.pageAddress(start), allocation.deviceOffset() + (long) start * PAGE_SIZE,
                    end - start);
        }
    }

    @Override
    public synchronized void setUnmapNotify(GrantAllocation allocation, int page, UnmapNotify notify) {
        long index = allocation.deviceOffset() + (long) page * PAGE_SIZE + (notify.clearsByte() ? notify.byteInPage() : 0);
        int action = (notify.clearsByte() ? GntallocAbi.NOTIFY_CLEAR_BYTE : 0)
                | (notify.sendsEvent() ? GntallocAbi.NOTIFY_SEND_EVENT : 0);
        try {
            device.setUnmapNotify(index, action, notify.sendsEvent() ? notify.eventPort() : 0);
        } catch (NativeError e) {
            if (e.is(Errno.EINVAL) && notify.sendsEvent()) {
                throw GntfsException.causedBy(Fault.INVALID_ARGUMENT, e,
                        "event channel port %d is not bound in this domain", notify.eventPort());
            }
            throw GntfsException.causedBy(Fault.IO_ERROR, e, "could not set the notification of page %d of %s: %s",
                    page, allocation, e.getMessage());
        }
    }

    /**
     * One duplicate of this space's gntalloc file for all of them (gntalloc maps a grant only
     * through the file that allocated it), each allocation at its index. It maps writable whatever
     * {@code write} says, and carries gntalloc's ioctls.
     */
    @Override
    public synchronized LentDescriptors openDescriptors(List<GrantAllocation> allocations, boolean write) {
        if (closed || device == null) {
            throw GntfsException.of(Fault.INVALID_ARGUMENT, "this gntalloc space has no grants");
        }
        int descriptor;
        try {
            descriptor = device.duplicate();
        } catch (NativeError e) {
            throw GntfsException.causedBy(Fault.IO_ERROR, e, "%s", e.getMessage());
        }
        return new LentDescriptors(ImmutableIntArray.of(descriptor), allocations.stream()
                .map(allocation -> new LentDescriptors.Placement(0, allocation.deviceOffset()))
                .collect(ImmutableList.toImmutableList()));
    }

    /**
     * Closes the daemon's descriptor of the gntalloc file. Once no descriptor of it is left (a
     * client may still hold the one it was handed), gntalloc ends every grant still in it; pages
     * that a client still maps stay granted until it unmaps, as gntalloc counts each mapping as a
     * user of the grant.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (device == null) {
            return;
        }
        try {
            device.close();
        } catch (NativeError e) {
            log.warn("could not close a gntalloc file: {}", e.getMessage());
        }
    }
}
