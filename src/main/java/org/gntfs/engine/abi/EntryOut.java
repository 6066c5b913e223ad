package org.gntfs.engine.abi;

import java.nio.ByteBuffer;

/**
 * A writable view of {@code struct fuse_entry_out} (128 bytes), the reply to LOOKUP, MKNOD,
 * MKDIR, CREATE and LINK and the head of a READDIRPLUS entry: a node id and generation, how long
 * the kernel may keep the name and the attributes, and the attributes.
 */
public final class EntryOut {
    public static final int SIZE = 128;

    private final ByteBuffer buffer;
    private final int base;

    public EntryOut(ByteBuffer buffer, int base) {
        this.buffer = buffer;
        this.base = base;
    }

    /** Sets the node (0: a negative entry) and its generation. */
    public EntryOut node(long nodeId, long generation) {
        buffer.putLong(base, nodeId).putLong(base + 8, generation);
        return this;
    }

    public EntryOut validity(Timeout entry, Timeout attr) {
        buffer.putLong(base + 16, entry.seconds()).putLong(base + 24, attr.seconds())
                .putInt(base + 32, entry.nanos()).putInt(base + 36, attr.nanos());
        return this;
    }

    public Attr attr() {
        return new Attr(buffer, base + 40);
    }

    public long nodeId() {
        return buffer.getLong(base);
    }
}
