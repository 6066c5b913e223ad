package org.gntfs.fuse;

import jnr.ffi.Pointer;
import jnr.ffi.Struct;
import ru.serce.jnrfuse.struct.FuseFileInfo;
import ru.serce.jnrfuse.struct.FuseOperations;

/** The members of libfuse 2.9's structs that jnr-fuse maps only as padding. */
final class FuseStructs {
    /** In struct fuse_file_info, the bitfield word after flags, fh_old and writepage. */
    private static final int FILE_INFO_BITS_OFFSET = 20;
    static final int DIRECT_IO_BIT = 1;
    static final int KEEP_CACHE_BIT = 2;

    private FuseStructs() {}

    /** Sets a bit of fuse_file_info's flag word: {@link #DIRECT_IO_BIT} or {@link #KEEP_CACHE_BIT}. */
    static void setOpenFlag(FuseFileInfo fi, int bit) {
        Pointer info = Struct.getMemory(fi);
        info.putInt(FILE_INFO_BITS_OFFSET, info.getInt(FILE_INFO_BITS_OFFSET) | bit);
    }

    /** Whether {@link #setOpenFlag} set that bit. */
    static boolean hasOpenFlag(FuseFileInfo fi, int bit) {
        return (Struct.getMemory(fi).getInt(FILE_INFO_BITS_OFFSET) & bit) != 0;
    }

    /**
     * Sets {@code flag_nullpath_ok} in the operations libfuse is given. libfuse builds the path of
     * every call from its own node tree. An unlinked open file whose directory is then removed has
     * no path there, so libfuse would fail its reads, writes and truncates with ENOENT, where tmpfs
     * carries on. With the flag it calls with the handle and a null path instead, and every
     * handle-based callback goes by the handle. (fstat still fails: the kernel asks for it by
     * inode, and libfuse 2 answers that by path.)
     */
    static void acceptNullPaths(FuseOperations operations) {
        Pointer memory = Struct.getMemory(operations);
        long flags = StructOffsets.of(operations.flag_nullpath_ok);
        memory.putInt(flags, memory.getInt(flags) | 1);
    }

    /** jnr-ffi shows where a member lies only to subclasses of Struct. */
    private abstract static class StructOffsets extends Struct {
        private StructOffsets() {
            super(jnr.ffi.Runtime.getSystemRuntime());
        }

        static long of(Struct.Padding member) {
            return member.offset();
        }
    }
}
