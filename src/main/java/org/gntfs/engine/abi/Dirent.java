package org.gntfs.engine.abi;

import java.nio.ByteBuffer;

/**
 * {@code struct fuse_dirent} (24 bytes and the name, padded to 8) and {@code fuse_direntplus}
 * (a {@link EntryOut} before it): the records of a READDIR and a READDIRPLUS reply. {@code off}
 * is the cookie of the next entry, never 0.
 */
public final class Dirent {
    public static final int HEADER = 24;
    public static final int PLUS_HEADER = EntryOut.SIZE + HEADER;

    private Dirent() {}

    public static int size(int nameLength) {
        return align(HEADER + nameLength);
    }

    public static int plusSize(int nameLength) {
        return align(PLUS_HEADER + nameLength);
    }

    /** Writes a dirent at {@code base}, padding included; {@code type} is the S_IFMT bits of the mode. */
    public static void put(ByteBuffer buffer, int base, long ino, long nextCookie, int mode, byte[] name) {
        buffer.putLong(base, ino).putLong(base + 8, nextCookie)
                .putInt(base + 16, name.length).putInt(base + 20, (mode & 0170000) >>> 12);
        buffer.put(base + HEADER, name);
        for (int at = base + HEADER + name.length; at < base + size(name.length); at++) {
            buffer.put(at, (byte) 0);
        }
    }

    private static int align(int length) {
        return (length + 7) & ~7;
    }
}
