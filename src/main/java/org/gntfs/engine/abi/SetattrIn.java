package org.gntfs.engine.abi;

import java.nio.ByteBuffer;

/**
 * A view of {@code struct fuse_setattr_in} (88 bytes): which attributes to change ({@code valid},
 * the {@code FATTR_*} bits) and their new values.
 */
public final class SetattrIn {
    public static final int SIZE = 88;

    public static final int MODE = 1;
    public static final int UID = 1 << 1;
    public static final int GID = 1 << 2;
    public static final int SIZE_BIT = 1 << 3;
    public static final int ATIME = 1 << 4;
    public static final int MTIME = 1 << 5;
    public static final int FH = 1 << 6;
    public static final int ATIME_NOW = 1 << 7;
    public static final int MTIME_NOW = 1 << 8;
    public static final int LOCKOWNER = 1 << 9;
    public static final int CTIME = 1 << 10;
    public static final int KILL_SUIDGID = 1 << 11;

    private final ByteBuffer buffer;
    private final int base;

    public SetattrIn(ByteBuffer buffer, int base) {
        this.buffer = buffer;
        this.base = base;
    }

    public int valid() {
        return buffer.getInt(base);
    }

    public boolean has(int bit) {
        return (valid() & bit) != 0;
    }

    public long handle() {
        return buffer.getLong(base + 8);
    }

    public long size() {
        return buffer.getLong(base + 16);
    }

    public long atimeSeconds() {
        return buffer.getLong(base + 32);
    }

    public int atimeNanos() {
        return buffer.getInt(base + 56);
    }

    public long mtimeSeconds() {
        return buffer.getLong(base + 40);
    }

    public int mtimeNanos() {
        return buffer.getInt(base + 60);
    }

    public int mode() {
        return buffer.getInt(base + 68);
    }

    public int uid() {
        return buffer.getInt(base + 76);
    }

    public int gid() {
        return buffer.getInt(base + 80);
    }
}
