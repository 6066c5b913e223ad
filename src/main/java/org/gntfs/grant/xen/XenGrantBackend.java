package org.gntfs.grant.xen;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkPositionIndexes;
import static com.google.common.base.Preconditions.checkState;
import static org.gntfs.grant.GrantAllocation.PAGE_SIZE;

import com.google.common.collect.ImmutableMap;
import com.google.common.primitives.ImmutableLongArray;
import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import jnr.constants.platform.Errno;
import org.gntfs.Fault;
import org.gntfs.GntfsException;
import org.gntfs.grant.GrantAllocation;
import org.gntfs.grant.GrantBackend;
import org.gntfs.grant.PoolUsage;
import org.gntfs.grant.UnmapNotify;
import org.gntfs.nativeio.NativeError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Real Xen grants, through one open file of {@code /dev/xen/gntalloc}. An allocation is one
 * ALLOC_GREF, mapped whole into the daemon; a release is DEALLOC_GREF of the sub-range, then the
 * end of its mapping, which frees the pages and fires their unmap notification.
 *
 * <p>The pool is gntalloc's {@code limit}, shared by every user of the device in this domain and
 * changeable at runtime, so it is read anew each time; what this backend holds is counted here.
 */
public final class XenGrantBackend implements GrantBackend {
    private static final Logger log = LoggerFactory.getLogger(XenGrantBackend.class);

    /** gntalloc's limit on the grants of the whole domain, writable by root. */
    public static final Path LIMIT = Path.of("/sys/module/xen_gntalloc/parameters/limit");

    private final GntallocDevice device;

    @GuardedBy("this")
    private long held;

    /** The pages still held of each allocation, by its device offset. */
    @GuardedBy("this")
    private final Map<Long, BitSet> livePages = new HashMap<>();

    @GuardedBy("this")
    private boolean closed;

    private XenGrantBackend(GntallocDevice device) {
        this.device = device;
    }

    /** Opens gntalloc; says in one line why not where Xen or the module is missing. */
    public static XenGrantBackend open() {
        // The request numbers and struct layouts here are x86_64's; gntalloc has no compat ioctl.
        if (!System.getProperty("os.arch").equals("amd64")) {
            throw GntfsException.of(Fault.NOT_SUPPORTED, "the Xen backend runs on x86_64 only, not on %s",
                    System.getProperty("os.arch"));
        }
        try {
            return new XenGrantBackend(GntallocDevice.open());
        } catch (NativeError e) {
            if (e.is(Errno.ENOENT) || e.is(Errno.ENODEV) || e.is(Errno.ENXIO)) {
                throw GntfsException.causedBy(Fault.NOT_SUPPORTED, e,
                        "no Xen grants here: %s (is this a Xen domain with xen-gntalloc loaded?)", e.getMessage());
            }
            if (e.is(Errno.EACCES) || e.is(Errno.EPERM)) {
                throw GntfsException.causedBy(Fault.ACCESS_DENIED, e, "%s (run the daemon as root)", e.getMessage());
            }
            throw GntfsException.causedBy(Fault.IO_ERROR, e, "%s", e.getMessage());
        }
    }

    @Override
    public String name() {
        return "xen";
    }

    @Override
    public synchronized GrantAllocation allocate(int domid, boolean writable, int pages) {
        checkArgument(pages > 0, "cannot allocate %s pages", pages);
        checkState(!closed, "the gntalloc backend is closed");
        GntallocDevice.Grants grants;
        try {
            grants = device.allocate(domid, writable, pages);
        } catch (NativeError e) {
            throw allocationFailure(e, pages);
        }
        long base;
        try {
            base = device.map(grants.index(), pages);
        } catch (NativeError e) {
            // All or nothing: the grants were made, so they are ended before the failure is told.
            deallocateAfterFailure(grants.index(), pages);
            throw GntfsException.causedBy(e.is(Errno.ENOMEM) ? Fault.NO_SPACE : Fault.IO_ERROR, e,
                    "granted %d pages but could not map them: %s", pages, e.getMessage());
        }
        held += pages;
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
    private GntfsException allocationFailure(NativeError e, int pages) {
        if (e.is(Errno.ENOSPC)) {
            return GntfsException.causedBy(Fault.NO_SPACE, e,
                    "no room for %d more grants: gntalloc's limit is %s grants for the whole domain (%s),"
                            + " this mount holds %d; or this domain's grant table is full (Xen's gnttab_max_frames)",
                    pages, limitText(), LIMIT, held);
        }
        if (e.is(Errno.ENOMEM)) {
            return GntfsException.causedBy(Fault.NO_SPACE, e, "the kernel has no memory for %d more granted pages", pages);
        }
        return GntfsException.causedBy(Fault.IO_ERROR, e, "%s", e.getMessage());
    }

    private static String limitText() {
        try {
            return Long.toString(readLimit());
        } catch (GntfsException e) {
            return "unknown";
        }
    }

    @GuardedBy("this")
    private void deallocateAfterFailure(long index, int pages) {
        try {
            device.deallocate(index, pages);
        } catch (NativeError e) {
            log.warn("could not end the grants of {} unmapped pages at {}; they go when the daemon exits: {}",
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
        held -= count;
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

    @Override
    public synchronized PoolUsage usage() {
        return new PoolUsage(readLimit(), held);
    }

    private static long readLimit() {
        try {
            return Long.parseLong(Files.readString(LIMIT).trim());
        } catch (IOException | NumberFormatException e) {
            throw GntfsException.causedBy(Fault.IO_ERROR, e, "cannot read gntalloc's limit from %s: %s", LIMIT, e);
        }
    }

    /** The peer finds nothing it needs here: gntdev maps by gref and the granting domain's id. */
    @Override
    public ImmutableMap<String, String> properties() {
        return ImmutableMap.of();
    }

    /** Closes gntalloc, which ends every grant still held; their notifications fire then. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (held > 0) {
            log.warn("closing gntalloc with {} grants still held", held);
        }
        try {
            device.close();
        } catch (NativeError e) {
            throw GntfsException.causedBy(Fault.IO_ERROR, e, "%s", e.getMessage());
        }
    }
}
