package org.gntfs.engine.abi;

import java.nio.ByteBuffer;

/** {@code struct fuse_open_out} (16 bytes), the reply to OPEN and OPENDIR and the tail of CREATE's. */
public final class OpenOut {
    public static final int SIZE = 16;

    /** Bypass the page cache: reads and writes go to the server as they come; no shared mmap. */
    public static final int DIRECT_IO = 1;
    /** Keep the pages cached by earlier opens; without it every open drops them. */
    public static final int KEEP_CACHE = 2;
    /** For OPENDIR: the kernel may cache the listing. */
    public static final int CACHE_DIR = 8;

    private OpenOut() {}

    public static void put(ByteBuffer buffer, int base, long handle, int openFlags) {
        buffer.putLong(base, handle).putInt(base + 8, openFlags).putInt(base + 12, 0);
    }
}
