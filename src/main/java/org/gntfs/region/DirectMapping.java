package org.gntfs.region;

import static com.google.common.base.Preconditions.checkState;

import com.google.common.collect.ImmutableList;
import com.google.common.primitives.ImmutableIntArray;
import com.google.errorprone.annotations.concurrent.GuardedBy;
import org.gntfs.nativeio.Posix;
import org.gntfs.protocol.Pages;
import org.gntfs.protocol.Segment;

/**
 * A region lent to a process that maps its granted pages itself. A loan for writing holds the
 * region like an open file does, and no shrink may release the pages it covers; a loan for
 * reading holds nothing, so a reader never keeps the owner from shrinking or removing the region
 * (its pages then read as zeros). It carries descriptors of the region's grant space for the
 * borrower, and where in them each part of the region lies.
 */
public final class DirectMapping implements AutoCloseable {
    private final Region region;
    private final long size;
    private final boolean write;
    private final int domid;
    private final ImmutableList<Segment> segments;
    private final ImmutableIntArray grefs;

    @GuardedBy("this")
    private ImmutableIntArray descriptors;

    @GuardedBy("this")
    private boolean closed;

    DirectMapping(Region region, long size, boolean write, int domid, ImmutableList<Segment> segments,
            ImmutableIntArray grefs, ImmutableIntArray descriptors) {
        this.region = region;
        this.size = size;
        this.write = write;
        this.domid = domid;
        this.segments = segments;
        this.grefs = grefs;
        this.descriptors = descriptors;
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

    /** The descriptors to hand over, in the order the segments number them; owned here until {@link #closeDescriptors()}. */
    public synchronized ImmutableIntArray descriptors() {
        checkState(descriptors != null, "the descriptors are handed over already");
        return descriptors;
    }

    /** Closes the daemon's copies of the descriptors, once the borrower has its own. */
    public synchronized void closeDescriptors() {
        if (descriptors != null) {
            descriptors.forEach(Posix::closeQuietly);
            descriptors = null;
        }
    }

    /** Ends the loan: the region may shrink again, and goes if a writer's loan was the last holder of an unlinked one. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try {
            closeDescriptors();
        } finally {
            region.endLoan(this);
        }
    }
}
