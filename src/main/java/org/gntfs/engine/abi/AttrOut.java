package org.gntfs.engine.abi;

import java.nio.ByteBuffer;

/** A writable view of {@code struct fuse_attr_out} (104 bytes), the reply to GETATTR and SETATTR. */
public final class AttrOut {
    public static final int SIZE = 104;

    private AttrOut() {}

    /** Writes the validity at {@code base} and gives the attributes to fill. */
    public static Attr put(ByteBuffer buffer, int base, Timeout valid) {
        buffer.putLong(base, valid.seconds()).putInt(base + 8, valid.nanos()).putInt(base + 12, 0);
        return new Attr(buffer, base + 16);
    }
}
