package org.gntfs.engine.abi;

/**
 * Offsets and sizes of the fixed request bodies, from the start of the body (just after the
 * {@link InHeader}); the fields are u32 unless marked u64.
 */
public final class Bodies {
    /** fuse_forget_in: u64 nlookup. */
    public static final int FORGET_NLOOKUP = 0;

    /** fuse_batch_forget_in: u32 count, u32 dummy, then count fuse_forget_one {u64 nodeid; u64 nlookup}. */
    public static final int BATCH_FORGET_SIZE = 8;
    public static final int FORGET_ONE_SIZE = 16;

    /** fuse_getattr_in: u32 getattr_flags, u32 dummy, u64 fh. */
    public static final int GETATTR_SIZE = 16;
    public static final int GETATTR_FLAGS = 0;
    public static final int GETATTR_FH = 8;
    public static final int GETATTR_FH_FLAG = 1;

    /** fuse_mknod_in: mode, rdev, umask, padding. */
    public static final int MKNOD_SIZE = 16;
    public static final int MKNOD_RDEV = 4;
    /** fuse_mkdir_in: mode, umask. */
    public static final int MKDIR_SIZE = 8;
    /** fuse_rename_in: u64 newdir; fuse_rename2_in adds flags and padding. */
    public static final int RENAME_SIZE = 8;
    public static final int RENAME2_SIZE = 16;
    public static final int RENAME2_FLAGS = 8;
    /** fuse_link_in: u64 oldnodeid. */
    public static final int LINK_SIZE = 8;

    /** fuse_open_in: flags, open_flags (FUSE_OPEN_KILL_SUIDGID = 1). */
    public static final int OPEN_SIZE = 8;
    public static final int OPEN_KILL_SUIDGID = 1;
    /** fuse_create_in: flags, mode, umask, open_flags. */
    public static final int CREATE_SIZE = 16;

    /** fuse_read_in and fuse_write_in (40 bytes): u64 fh, u64 offset, size, read/write flags, ... */
    public static final int IO_SIZE = 40;
    public static final int IO_FH = 0;
    public static final int IO_OFFSET = 8;
    public static final int IO_LENGTH = 16;
    public static final int IO_FLAGS = 20;
    /** FUSE_WRITE_KILL_SUIDGID in write_flags. */
    public static final int WRITE_KILL_SUIDGID = 4;
    /** fuse_write_out: u32 size, u32 padding. */
    public static final int WRITE_OUT_SIZE = 8;

    /** fuse_release_in: u64 fh, flags, release_flags, u64 lock_owner. */
    public static final int RELEASE_SIZE = 24;

    /** fuse_setxattr_in: size, flags, then (with SETXATTR_EXT) setxattr_flags, padding. */
    public static final int SETXATTR_COMPAT_SIZE = 8;
    public static final int SETXATTR_SIZE = 16;
    /** fuse_getxattr_in: size, padding; fuse_getxattr_out: size, padding. */
    public static final int GETXATTR_SIZE = 8;
    public static final int GETXATTR_OUT_SIZE = 8;

    /** fuse_fallocate_in (32 bytes): u64 fh, u64 offset, u64 length, mode (FALLOC_FL_*), padding. */
    public static final int FALLOCATE_SIZE = 32;
    public static final int FALLOCATE_FH = 0;
    public static final int FALLOCATE_OFFSET = 8;
    public static final int FALLOCATE_LENGTH = 16;
    public static final int FALLOCATE_MODE = 24;

    /** fuse_interrupt_in: u64 unique. */
    public static final int INTERRUPT_SIZE = 8;

    private Bodies() {}
}
