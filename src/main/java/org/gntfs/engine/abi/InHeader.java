package org.gntfs.engine.abi;

import java.nio.ByteBuffer;

/**
 * {@code struct fuse_in_header} (40 bytes) at the start of every request, read from a buffer in
 * host byte order.
 */
public final class InHeader {
    public static final int SIZE = 40;

    private InHeader() {}

    public static int length(ByteBuffer request) {
        return request.getInt(0);
    }

    public static int opcode(ByteBuffer request) {
        return request.getInt(4);
    }

    public static long unique(ByteBuffer request) {
        return request.getLong(8);
    }

    public static long nodeId(ByteBuffer request) {
        return request.getLong(16);
    }

    public static int uid(ByteBuffer request) {
        return request.getInt(24);
    }

    public static int gid(ByteBuffer request) {
        return request.getInt(28);
    }

    public static int pid(ByteBuffer request) {
        return request.getInt(32);
    }

    /** The length of the extensions after the body, in 8-byte units (7.38+). */
    public static int extensionUnits(ByteBuffer request) {
        return Short.toUnsignedInt(request.getShort(36));
    }

    /** Writes a header, for tests and fake kernels. */
    public static void put(ByteBuffer request, int length, int opcode, long unique, long nodeId, int uid, int gid, int pid) {
        request.putInt(0, length).putInt(4, opcode).putLong(8, unique).putLong(16, nodeId)
                .putInt(24, uid).putInt(28, gid).putInt(32, pid).putInt(36, 0);
    }
}
