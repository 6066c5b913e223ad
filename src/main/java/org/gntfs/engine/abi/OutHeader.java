package org.gntfs.engine.abi;

import java.nio.ByteBuffer;

/**
 * {@code struct fuse_out_header} (16 bytes) before every reply and notification: the total
 * length, 0 or a negative errno (a notification's code when {@code unique} is 0), and the
 * request's {@code unique}.
 */
public final class OutHeader {
    public static final int SIZE = 16;

    private OutHeader() {}

    public static void put(ByteBuffer reply, int length, int error, long unique) {
        reply.putInt(0, length).putInt(4, error).putLong(8, unique);
    }

    public static int length(ByteBuffer reply) {
        return reply.getInt(0);
    }

    public static int error(ByteBuffer reply) {
        return reply.getInt(4);
    }

    public static long unique(ByteBuffer reply) {
        return reply.getLong(8);
    }
}
