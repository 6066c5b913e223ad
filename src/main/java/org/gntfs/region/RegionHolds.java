package org.gntfs.region;

import static com.google.common.base.Preconditions.checkState;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.util.ArrayList;
import java.util.List;
import org.gntfs.Fault;
import org.gntfs.GntfsException;

/**
 * The life of one region: who holds it (open files, which the kernel keeps while a mapping
 * exists, and {@link DirectMapping}s lent out), whether it still has a name, and the moment it
 * must be released: unlinked and no longer held. Once that moment has come, nothing may take a
 * new hold, even while the release itself is still being retried.
 *
 * <p>Locking: everything is guarded by this object's monitor, which may be taken while the
 * region's {@link GrantedPages} lock is held, never the other way round. The transitions that
 * call for a release only say so; the caller releases after the monitor is dropped.
 */
final class RegionHolds {
    private final Region region;

    @GuardedBy("this")
    private int holders;

    @GuardedBy("this")
    private boolean linked = true;

    @GuardedBy("this")
    private boolean releasing;

    /**
     * The direct mappings lent out. A loan for writing holds the region and pins the pages it
     * covers; a loan for reading does neither: what it maps is released under it as the owner
     * decides, and then reads as zeros.
     */
    @GuardedBy("this")
    private final List<DirectMapping> loans = new ArrayList<>();

    RegionHolds(Region region) {
        this.region = region;
    }

    synchronized void hold() {
        checkNotReleased();
        holders++;
    }

    /**
     * A caller that found the region by name just before another removed it (open or truncate
     * racing with unlink or rename) comes too late: as if the name had gone first.
     */
    synchronized void checkNotReleased() {
        if (releasing) {
            throw GntfsException.of(Fault.NOT_FOUND, "region %s was removed meanwhile", region.name());
        }
    }

    /** Drops a hold; whether it was the last of an unlinked region, which must now be released. */
    synchronized boolean unhold() {
        checkState(holders > 0, "region %s is not held", region.name());
        holders--;
        return startReleaseIfUnused();
    }

    /** The name is gone; whether no one holds the region, which must now be released. */
    synchronized boolean markUnlinked() {
        linked = false;
        return startReleaseIfUnused();
    }

    @GuardedBy("this")
    private boolean startReleaseIfUnused() {
        if (holders > 0 || linked || releasing) {
            return false;
        }
        releasing = true;
        return true;
    }

    /** The region goes whoever holds it, as at unmount. */
    synchronized void startRelease() {
        releasing = true;
    }

    synchronized void addLoan(DirectMapping loan) {
        try {
            checkNotReleased();
        } catch (GntfsException e) {
            loan.closeDescriptors();
            throw e;
        }
        if (loan.write()) {
            holders++;
        }
        loans.add(loan);
    }


    /** Ends a loan; whether the region must now be released, as for {@link #unhold}. */
    synchronized boolean endLoan(DirectMapping loan) {
        checkState(loans.remove(loan), "%s is not lent from %s", loan, region.name());
        return loan.write() && unhold();
    }

    /**
     * A shrink may not release a page that a writer maps: its stores would go on into memory
     * that no peer sees and the pool no longer counts. A reader's pages may go.
     */
    synchronized void checkNotLentForWriting(long newPages) {
        for (DirectMapping loan : loans) {
            if (loan.write() && loan.pages() > newPages) {
                throw GntfsException.of(Fault.BUSY, "region %s is mapped directly for writing over its first %d pages",
                        region.name(), loan.pages());
            }
        }
    }

    synchronized int loanCount() {
        return loans.size();
    }

    synchronized boolean isHeld() {
        return holders > 0;
    }

    synchronized boolean isLinked() {
        return linked;
    }
}
