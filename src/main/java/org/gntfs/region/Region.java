package org.gntfs.region;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.primitives.ImmutableIntArray;
import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.time.Instant;
import java.util.function.Consumer;
import org.gntfs.Fault;
import org.gntfs.GntfsException;
import org.gntfs.grant.GrantBackend;
import org.gntfs.protocol.Pages;

/**
 * A granted region: {@code size} bytes held in {@code ceil(size / 4096)} pages granted to one
 * domain. Its two jobs live apart: {@link GrantedPages} holds the pages (the bytes, the index,
 * the grant space, grows and shrinks), {@link RegionHolds} its life (open files, direct mappings,
 * the name, the moment of release). The region is released, every grant with it, once it is
 * unlinked and its last holder is gone; a release the backend fails is left to the tree's
 * {@link Reaper}, so that the unlink, rename or close that dropped the last hold still succeeds.
 *
 * <p>Locking: the pages' lock is taken before the holds' monitor, never after; a release runs
 * with neither held by the caller. See the two classes.
 */
public final class Region extends Node {
    /** The largest region size: 16 TiB, far above any grant pool. */
    public static final long MAX_SIZE = 1L << 44;

    private final RegionHolds holds = new RegionHolds(this);
    private final GrantedPages granted;
    private final Reaper reaper;
    private final Consumer<Region> onRelease;
    private final UidUsage grantUsage;
    private volatile boolean lentWritable;

    /** The pages charged to the owner's grant quota; at least the pages held, while a grow runs. */
    @GuardedBy("grantUsage")
    private long chargedPages;

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
            Reaper reaper,
            UidUsage grantUsage,
            Consumer<Region> onRelease) {
        super(inode, name, permissions, uid, gid, now);
        this.granted = new GrantedPages(this, backend, holds, domid, writable);
        this.reaper = reaper;
        this.grantUsage = grantUsage;
        this.onRelease = onRelease;
    }

    public long size() {
        return granted.size();
    }

    public long pages() {
        return Pages.pagesFor(size());
    }

    public int domid() {
        return granted.domid();
    }

    public boolean writable() {
        return granted.writable();
    }

    public RegionNotify notifySpec() {
        return granted.notifySpec();
    }

    public ImmutableIntArray grefs() {
        return granted.grefs();
    }

    /** A consistent view of the grant settings and grefs, for listings. */
    public GrantSummary summary() {
        return granted.summary();
    }

    /** What {@code .grants} and {@code gntfs list} show of a region. */
    public record GrantSummary(int domid, boolean writable, ImmutableIntArray grefs) {}

    /** Copies up to {@code length} bytes at {@code offset} to native {@code target}; returns the count. */
    public int read(long offset, long target, int length) {
        return granted.read(offset, target, length);
    }

    /** Copies {@code length} bytes from native {@code source} to {@code offset}, growing the region if needed. */
    public void write(long offset, long source, int length, Instant now) {
        // No lambda here: each write would allocate one, and a write must work on a full heap.
        chargeGrantsFor(Math.max(size(), offset + length));
        try {
            granted.write(offset, source, length);
        } finally {
            settleGrantCharge();
        }
        touchModified(now);
    }

    /** Sets the size: grants new zeroed pages to grow, releases the tail's grants to shrink. */
    public void resize(long newSize, Instant now) {
        changeCharged(newSize, () -> granted.resize(newSize), now);
    }

    /**
     * fallocate(2) of {@code [offset, offset + length)}. Unless {@code keepSize}, a region that
     * ends before the range grows to its end as {@link #resize} grows it (all or nothing, charged
     * to the owner). With {@code zero} the bytes of the range inside the region become zeros in
     * the granted pages, which keep their grants. Past the size with {@code keepSize} nothing is
     * reserved: a region's pages are exactly its size. Every call changes mtime and ctime.
     */
    public void allocate(long offset, long length, boolean keepSize, boolean zero, Instant now) {
        checkArgument(offset >= 0 && length > 0 && offset + length > 0, "bad range of %s at %s", length, offset);
        long end = offset + length;
        changeCharged(keepSize ? size() : Math.max(size(), end), () -> {
            if (!keepSize) {
                granted.extend(end);
            }
            if (zero) {
                granted.zero(offset, end);
            }
        }, now);
    }

    /** Makes a change that may grow the region to {@code newSize}, charged for it first; then the times. */
    private void changeCharged(long newSize, Runnable change, Instant now) {
        chargeGrantsFor(newSize);
        try {
            change.run();
        } finally {
            settleGrantCharge();
        }
        touchModified(now);
    }

    /** Charges the owner, before a grow, for the pages {@code newSize} needs: EDQUOT if over its quota. */
    private void chargeGrantsFor(long newSize) {
        synchronized (grantUsage) {
            long extra = Pages.pagesFor(Math.min(newSize, MAX_SIZE)) - chargedPages;
            if (extra > 0) {
                grantUsage.charge(uid(), extra);
                chargedPages += extra;
            }
        }
    }

    /** Makes the charge what the region holds, once a grow or a shrink is done or has failed. */
    private void settleGrantCharge() {
        synchronized (grantUsage) {
            long held = isReleased() ? 0 : pages();
            grantUsage.adjust(uid(), held - chargedPages);
            chargedPages = held;
        }
    }

    /** Moves the grant charge to a new owner, who must have room for it (EDQUOT). */
    void moveGrantCharge(int from, int to) {
        synchronized (grantUsage) {
            if (from != to) {
                grantUsage.charge(to, chargedPages);
                grantUsage.adjust(from, -chargedPages);
            }
        }
    }

    /** Sets the domain the pages go to; fixed once the region has pages. */
    public void setDomid(int newDomid) {
        granted.setDomid(newDomid);
    }

    /** Sets whether the peer may write; fixed once the region has pages. */
    public void setWritable(boolean newWritable) {
        granted.setWritable(newWritable);
    }

    /** Sets, replaces or clears the unmap notification. */
    public void setNotify(RegionNotify wanted) {
        granted.setNotify(wanted);
    }

    /**
     * Lends the region's pages to a process that maps them itself: descriptors of the region's
     * grant space and where each part of the region lies in them. A loan for writing holds the
     * region until closed, and no shrink may release what it maps; a loan for reading holds
     * nothing.
     *
     * @throws GntfsException {@link Fault#INVALID_ARGUMENT} for a region without pages, which has
     *     nothing to map
     */
    public DirectMapping lend(boolean write) {
        if (write) {
            // Before the loan exists, so that every open after it drops the kernel's cached pages.
            lentWritable = true;
        }
        return granted.lend(write);
    }

    /**
     * Whether only the daemon's own copies (the FUSE path's writes and writeback) can ever have
     * stored to the pages: the grant is read-only to the peer, and the region has never been lent
     * for writing (even a loan that failed or has ended counts). Only then can the kernel's page
     * cache of the region not go stale, so only then may an open keep it.
     */
    public boolean changesOnlyThroughTheDaemon() {
        return !writable() && !lentWritable;
    }

    /** Ends a loan made by {@link #lend}. */
    void endLoan(DirectMapping loan) {
        if (holds.endLoan(loan)) {
            reaper.release(this);
        }
    }

    /** How many direct mappings are lent out. */
    public int loanCount() {
        return holds.loanCount();
    }

    /** Takes a hold: an open file keeps the grants alive past unlink. */
    public void hold() {
        holds.hold();
    }

    /** Drops a hold; the last one on an unlinked region releases it, now or through the reaper. */
    public void unhold() {
        if (holds.unhold()) {
            reaper.release(this);
        }
    }

    /** The name is gone; the grants go with the last holder. */
    void markUnlinked() {
        if (holds.markUnlinked()) {
            reaper.release(this);
        }
    }

    /** Whether an open file or a direct mapping holds the region. */
    public boolean isHeld() {
        return holds.isHeld();
    }

    public boolean isLinked() {
        return holds.isLinked();
    }

    /** Whether its grants are gone: unlinked and no longer held, or unmounted. */
    public boolean isReleased() {
        return granted.isReleased();
    }

    /**
     * Releases every grant now, whoever holds the region. Idempotent once it has succeeded; if the
     * backend fails, the pages it kept are still the region's and a later call tries again.
     */
    void release() {
        holds.startRelease();
        if (granted.release()) {
            settleGrantCharge();
            onRelease.accept(this);
        }
    }
}
