package org.gntfs.engine.abi;

import java.nio.ByteBuffer;

/** A writable view of {@code struct fuse_attr} (88 bytes): what {@code stat} shows of a node. */
public final class Attr {
    public static final int SIZE = 88;

    private final ByteBuffer buffer;
    private final int base;

    public Attr(ByteBuffer buffer, int base) {
        this.buffer = buffer;
        this.base = base;
    }

    /** Zeroes every field, so that a filler sets only what it knows. */
    public Attr clear() {
        for (int offset = 0; offset < SIZE; offset += 8) {
            buffer.putLong(base + offset, 0);
        }
        return this;
    }

    public Attr ino(long ino) {
        buffer.putLong(base, ino);
        return this;
    }

    public Attr size(long size) {
        buffer.putLong(base + 8, size);
        return this;
    }

    /** In 512-byte units. */
    public Attr blocks(long blocks) {
        buffer.putLong(base + 16, blocks);
        return this;
    }

    public Attr atime(long seconds, int nanos) {
        buffer.putLong(base + 24, seconds).putInt(base + 48, nanos);
        return this;
    }

    public Attr mtime(long seconds, int nanos) {
        buffer.putLong(base + 32, seconds).putInt(base + 52, nanos);
        return this;
    }

    public Attr ctime(long seconds, int nanos) {
        buffer.putLong(base + 40, seconds).putInt(base + 56, nanos);
        return this;
    }

    /** The type bits (S_IFMT) and the permissions. */
    public Attr mode(int mode) {
        buffer.putInt(base + 60, mode);
        return this;
    }

    public Attr nlink(int nlink) {
        buffer.putInt(base + 64, nlink);
        return this;
    }

    public Attr owner(int uid, int gid) {
        buffer.putInt(base + 68, uid).putInt(base + 72, gid);
        return this;
    }

    /** A device node's number, as the kernel encodes it ({@code new_encode_dev}). */
    public Attr rdev(int rdev) {
        buffer.putInt(base + 76, rdev);
        return this;
    }

    public Attr blksize(int blksize) {
        buffer.putInt(base + 80, blksize);
        return this;
    }

    public long ino() {
        return buffer.getLong(base);
    }

    public long size() {
        return buffer.getLong(base + 8);
    }

    public int mode() {
        return buffer.getInt(base + 60);
    }
}
