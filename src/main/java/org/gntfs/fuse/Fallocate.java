package org.gntfs.fuse;

import java.time.Instant;
import org.gntfs.Fault;
import org.gntfs.GntfsException;
import org.gntfs.region.Region;

/**
 * fallocate(2)'s modes, onto a region's granted pages. Every page up to the size is granted (a
 * peer maps grefs before anything is written), so there is nothing to preallocate inside the
 * size and no hole to punch:
 *
 * <ul>
 *   <li>0: grows the region to the end of the range as ftruncate does, all or nothing (ENOSPC,
 *       EDQUOT, EFBIG leave it as it was); inside the size, nothing to do;
 *   <li>KEEP_SIZE: nothing. Past the size nothing is reserved either, since an extra page would
 *       be a grant past the file's end, which no peer's mapping of the size could show; a later
 *       grow grants then, and may find the pool full;
 *   <li>PUNCH_HOLE | KEEP_SIZE: the range's bytes inside the size become zeros, in place; the
 *       pages keep their grants, since the peer holds the grefs;
 *   <li>ZERO_RANGE: as mode 0, then zeroes as a punch does; with KEEP_SIZE, the punch alone.
 * </ul>
 *
 * The kernel refuses every other mode bit (EOPNOTSUPP) and PUNCH_HOLE without KEEP_SIZE before
 * asking; they are refused here too, for a kernel that would not. Each mode changes mtime and
 * ctime, as on tmpfs.
 */
final class Fallocate {
    static final int KEEP_SIZE = 0x01;
    static final int PUNCH_HOLE = 0x02;
    static final int ZERO_RANGE = 0x10;

    private Fallocate() {}

    static void apply(Region region, long offset, long length, int mode, Instant now) {
        boolean keepSize = (mode & KEEP_SIZE) != 0;
        boolean punch = (mode & PUNCH_HOLE) != 0;
        boolean zeroRange = (mode & ZERO_RANGE) != 0;
        if ((mode & ~(KEEP_SIZE | PUNCH_HOLE | ZERO_RANGE)) != 0 || (punch && (zeroRange || !keepSize))) {
            throw GntfsException.of(Fault.NOT_SUPPORTED, "fallocate mode %#x is not supported", mode);
        }
        region.allocate(offset, length, keepSize, punch || zeroRange, now);
    }
}
