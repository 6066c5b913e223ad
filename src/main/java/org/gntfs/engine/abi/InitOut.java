package org.gntfs.engine.abi;

import java.nio.ByteBuffer;

/**
 * {@code struct fuse_init_out}: what the server agreed to. 64 bytes from 7.23 on, 24 bytes
 * before, and 8 (the version alone) for a kernel whose major is not ours.
 */
public record InitOut(
        int major,
        int minor,
        int maxReadahead,
        long flags,
        int maxBackground,
        int congestionThreshold,
        int maxWrite,
        int timeGranularity,
        int maxPages) {
    public static final int SIZE = 64;
    public static final int COMPAT_22_SIZE = 24;
    public static final int VERSION_ONLY_SIZE = 8;

    /** How many bytes of the reply a kernel of {@code minor} expects. */
    public static int sizeFor(int minor) {
        return minor < 23 ? COMPAT_22_SIZE : SIZE;
    }

    public void write(ByteBuffer buffer, int base) {
        for (int offset = 0; offset < SIZE; offset += 8) {
            buffer.putLong(base + offset, 0);
        }
        buffer.putInt(base, major).putInt(base + 4, minor).putInt(base + 8, maxReadahead)
                .putInt(base + 12, (int) flags)
                .putShort(base + 16, (short) maxBackground).putShort(base + 18, (short) congestionThreshold)
                .putInt(base + 20, maxWrite).putInt(base + 24, timeGranularity)
                .putShort(base + 28, (short) maxPages).putInt(base + 32, (int) (flags >>> 32));
    }

    /** Parses a reply, for tests and fake kernels. */
    public static InitOut read(ByteBuffer buffer, int base, int length) {
        long flags = Integer.toUnsignedLong(buffer.getInt(base + 12));
        if (length >= SIZE) {
            flags |= Integer.toUnsignedLong(buffer.getInt(base + 32)) << 32;
        }
        return new InitOut(buffer.getInt(base), buffer.getInt(base + 4), buffer.getInt(base + 8), flags,
                Short.toUnsignedInt(buffer.getShort(base + 16)), Short.toUnsignedInt(buffer.getShort(base + 18)),
                buffer.getInt(base + 20), length >= SIZE ? buffer.getInt(base + 24) : 0,
                length >= SIZE ? Short.toUnsignedInt(buffer.getShort(base + 28)) : 0);
    }
}
