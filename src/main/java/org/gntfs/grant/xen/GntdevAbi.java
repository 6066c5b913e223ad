package org.gntfs.grant.xen;

import jnr.ffi.Pointer;

/**
 * The binary interface of {@code /dev/xen/gntdev} on x86_64 (include/uapi/xen/gntdev.h), as far
 * as a peer that maps one granted page needs it.
 *
 * <pre>
 * ioctl_gntdev_map_grant_ref    u32 count @0, u32 pad @4, u64 index @8 (out),
 *                               {u32 domid, u32 ref}[count] @16; 24 bytes as declared
 * ioctl_gntdev_unmap_grant_ref  u64 index @0, u32 count @8, u32 pad @12; 16 bytes
 * </pre>
 */
final class GntdevAbi {
    static final int MAP_GRANT_REF_SIZE = 24;
    static final int MAP_COUNT = 0;
    static final int MAP_INDEX = 8;
    static final int MAP_REFS = 16;
    static final int REF_DOMID = 0;
    static final int REF_REF = 4;

    static final int UNMAP_GRANT_REF_SIZE = 16;
    static final int UNMAP_INDEX = 0;
    static final int UNMAP_COUNT = 8;

    static final long IOCTL_MAP_GRANT_REF = IoctlNumber.none('G', 0, MAP_GRANT_REF_SIZE);
    static final long IOCTL_UNMAP_GRANT_REF = IoctlNumber.none('G', 1, UNMAP_GRANT_REF_SIZE);

    private GntdevAbi() {}

    /** MAP_GRANT_REF of one page: its struct is exactly the declared 24 bytes. */
    static void writeMapOneGrantRef(Pointer buffer, int granterDomid, int gref) {
        buffer.putInt(MAP_COUNT, 1);
        buffer.putInt(MAP_COUNT + Integer.BYTES, 0);
        buffer.putLong(MAP_INDEX, 0);
        buffer.putInt(MAP_REFS + REF_DOMID, granterDomid);
        buffer.putInt(MAP_REFS + REF_REF, gref);
    }

    static long mappedIndex(Pointer buffer) {
        return buffer.getLong(MAP_INDEX);
    }

    static void writeUnmapGrantRef(Pointer buffer, long index, int count) {
        buffer.putLong(UNMAP_INDEX, index);
        buffer.putInt(UNMAP_COUNT, count);
        buffer.putInt(UNMAP_COUNT + Integer.BYTES, 0);
    }
}
