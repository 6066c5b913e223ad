package org.gntfs.engine.abi;

import java.nio.ByteBuffer;

/**
 * {@code struct fuse_init_in}: 64 bytes from 7.36 on, 16 bytes before (no {@code flags2}); read
 * by the length the kernel sent.
 */
public record InitIn(int major, int minor, int maxReadahead, long flags) {
    public static final int SIZE = 64;
    public static final int COMPAT_SIZE = 16;

    /** Parses the {@code length} bytes of an INIT body at {@code base}. */
    public static InitIn read(ByteBuffer buffer, int base, int length) {
        if (length < 8) {
            throw new IllegalArgumentException("an INIT body of " + length + " bytes");
        }
        int major = buffer.getInt(base);
        int minor = buffer.getInt(base + 4);
        if (length < COMPAT_SIZE) {
            return new InitIn(major, minor, 0, 0);
        }
        long flags = Integer.toUnsignedLong(buffer.getInt(base + 12));
        if (length >= SIZE && (flags & InitFlags.INIT_EXT) != 0) {
            flags |= Integer.toUnsignedLong(buffer.getInt(base + 16)) << 32;
        }
        return new InitIn(major, minor, buffer.getInt(base + 8), flags);
    }

    /** Writes a 7.36+ body, for tests and fake kernels. */
    public void write(ByteBuffer buffer, int base) {
        buffer.putInt(base, major).putInt(base + 4, minor).putInt(base + 8, maxReadahead)
                .putInt(base + 12, (int) flags).putInt(base + 16, (int) (flags >>> 32));
        for (int offset = 20; offset < SIZE; offset += 4) {
            buffer.putInt(base + offset, 0);
        }
    }
}
