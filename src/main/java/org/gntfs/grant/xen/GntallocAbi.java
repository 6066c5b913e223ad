package org.gntfs.grant.xen;

import static com.google.common.base.Preconditions.checkArgument;

import jnr.ffi.Pointer;

/**
 * The binary interface of {@code /dev/xen/gntalloc} on x86_64 (include/uapi/xen/gntalloc.h): the
 * request numbers and the byte layout of their arguments, which are written into native buffers
 * at these offsets rather than through a fixed-size struct, because ALLOC_GREF's is variable.
 *
 * <pre>
 * ioctl_gntalloc_alloc_gref    u16 domid @0, u16 flags @2, u32 count @4, u64 index @8 (out),
 *                              u32 gref_ids[count] @16 (out); 24 bytes as declared
 * ioctl_gntalloc_dealloc_gref  u64 index @0, u32 count @8; 16 bytes
 * ioctl_gntalloc_unmap_notify  u64 index @0, u32 action @8, u32 event_channel_port @12; 16 bytes
 * </pre>
 */
final class GntallocAbi {
    static final int ALLOC_GREF_SIZE = 24;
    static final int ALLOC_DOMID = 0;
    static final int ALLOC_FLAGS = 2;
    static final int ALLOC_COUNT = 4;
    static final int ALLOC_INDEX = 8;
    static final int ALLOC_GREF_IDS = 16;

    static final int DEALLOC_GREF_SIZE = 16;
    static final int DEALLOC_INDEX = 0;
    static final int DEALLOC_COUNT = 8;

    static final int UNMAP_NOTIFY_SIZE = 16;
    static final int NOTIFY_INDEX = 0;
    static final int NOTIFY_ACTION = 8;
    static final int NOTIFY_PORT = 12;

    static final long IOCTL_ALLOC_GREF = IoctlNumber.none('G', 5, ALLOC_GREF_SIZE);
    static final long IOCTL_DEALLOC_GREF = IoctlNumber.none('G', 6, DEALLOC_GREF_SIZE);
    static final long IOCTL_SET_UNMAP_NOTIFY = IoctlNumber.none('G', 7, UNMAP_NOTIFY_SIZE);

    /** The grantee may write; without it the grant carries GTF_readonly. */
    static final int FLAG_WRITABLE = 1;
    static final int NOTIFY_CLEAR_BYTE = 1;
    static final int NOTIFY_SEND_EVENT = 2;

    private GntallocAbi() {}

    /**
     * The buffer ALLOC_GREF needs for {@code count} pages: the kernel reads and writes back the
     * whole declared struct (24 bytes, one gref included), then writes all the grefs from offset 16.
     */
    static int allocGrefBufferSize(int count) {
        checkArgument(count > 0, "cannot allocate %s pages", count);
        return Math.max(ALLOC_GREF_SIZE, Math.addExact(ALLOC_GREF_IDS, Math.multiplyExact(Integer.BYTES, count)));
    }

    static void writeAllocGref(Pointer buffer, int domid, boolean writable, int count) {
        buffer.putShort(ALLOC_DOMID, (short) domid);
        buffer.putShort(ALLOC_FLAGS, (short) (writable ? FLAG_WRITABLE : 0));
        buffer.putInt(ALLOC_COUNT, count);
        buffer.putLong(ALLOC_INDEX, 0);
    }

    static long allocatedIndex(Pointer buffer) {
        return buffer.getLong(ALLOC_INDEX);
    }

    static int allocatedGref(Pointer buffer, int page) {
        return buffer.getInt(ALLOC_GREF_IDS + (long) Integer.BYTES * page);
    }

    static void writeDeallocGref(Pointer buffer, long index, int count) {
        buffer.putLong(DEALLOC_INDEX, index);
        buffer.putInt(DEALLOC_COUNT, count);
    }

    static void writeUnmapNotify(Pointer buffer, long index, int action, int port) {
        buffer.putLong(NOTIFY_INDEX, index);
        buffer.putInt(NOTIFY_ACTION, action);
        buffer.putInt(NOTIFY_PORT, port);
    }
}
