package org.gntfs.region;

import static com.google.common.base.Preconditions.checkState;

import com.google.common.collect.ImmutableList;
import com.google.common.primitives.ImmutableIntArray;
import com.google.errorprone.annotations.concurrent.GuardedBy;
import org.gntfs.nativeio.Posix;
import org.gntfs.protocol.Pages;
import org.gntfs.protocol.Segment;

/**
 * A region lent to a process that maps its granted pages itself. While open it holds the region
 * like an open file does, and no shrink may release the pages it covers. It carries a descriptor
 * of the region's grant space for the borrower, and where in it each part of the region lies.
 */
public final class DirectMapping implements AutoCloseable {
    private final Region region;
    private final long size;
    private final boolean write;
    private final int domid;
    private final ImmutableList<Segment> segments;
    private final ImmutableIntArray grefs;

    @GuardedBy("this")
    private int descriptor;

    @GuardedBy("this")
    private boolean closed;

    DirectMapping(Region region, long size, boolean write, int domid, ImmutableList<Segment> segments,
            ImmutableIntArray grefs, int descriptor) {
        this.region = region;
        this.size = size;
        this.write = write;
        this.domid = domid;
        this.segments = segments;
        this.grefs = grefs;
        this.descriptor = descriptor;
    }

    public Region region() {
        return region;
    }

    /** The region's size when it was lent; the segments cover its whole pages. */
    public long size() {
        return size;
    }

    long pages() {
        return Pages.pagesFor(size);
    }

    /** Whether the borrower asked to write. */
    public boolean write() {
        return write;
    }

    public int domid() {
        return domid;
    }

    public ImmutableList<Segment> segments() {
        return segments;
    }

    public ImmutableIntArray grefs() {
        return grefs;
    }

    /** The descriptor to hand over; the mapping owns it until {@link #closeDescriptor()}. */
    public synchronized int descriptor() {
        checkState(descriptor >= 0, "the descriptor is handed over already");
        return descriptor;
    }

    /** Closes the daemon's copy of the descriptor, once the borrower has its own. */
    public synchronized void closeDescriptor() {
        if (descriptor >= 0) {
            int fd = descriptor;
            descriptor = -1;
            Posix.closeQuietly(fd);
        }
    }

    /** Ends the loan: the region may shrink again, and goes if it was the last holder of an unlinked one. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try {
            closeDescriptor();
        } finally {
            region.endLoan(this);
        }
    }
}
