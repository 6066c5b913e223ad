package org.gntfs.engine.abi;

/**
 * The notifications a server may send (an {@link OutHeader} with {@code unique} 0 and the code as
 * {@code error}), and their bodies.
 */
public final class Notify {
    /** {u64 ino; i64 off; i64 len}: drop cached attributes, and pages in [off, off+len) if off >= 0. */
    public static final int INVAL_INODE = 2;
    public static final int INVAL_INODE_SIZE = 24;
    /** {u64 parent; u32 namelen; u32 flags} + name + NUL: drop a cached name. */
    public static final int INVAL_ENTRY = 3;
    public static final int INVAL_ENTRY_SIZE = 16;

    private Notify() {}
}
