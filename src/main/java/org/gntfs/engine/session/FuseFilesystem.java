package org.gntfs.engine.session;

import java.util.List;
import org.gntfs.engine.abi.Attr;
import org.gntfs.engine.abi.EntryOut;
import org.gntfs.engine.abi.Kstatfs;
import org.gntfs.engine.abi.SetattrIn;

/**
 * What a filesystem served by a {@link Session} implements, by node id. Every method may throw:
 * a {@link FuseError} answers its errno, anything else goes through the session's {@link
 * ErrorMapper}. Methods that fill an {@link EntryOut} hand the kernel a node, which counts one
 * lookup (see {@code engine.node.NodeTable}); the session fills in the timeouts.
 *
 * <p>Opcodes without a method here (FLUSH, FSYNC, FSYNCDIR, LSEEK, ACCESS ...) are
 * answered ENOSYS by the session, which the kernel remembers for most of them; so is FALLOCATE
 * by a filesystem that keeps the default {@link #fallocate}.
 */
public interface FuseFilesystem {
    /** Fills the entry of {@code name} in {@code parent}; a FuseError ENOENT if there is none. */
    void lookup(Request request, long parent, String name, EntryOut entry);

    /** The kernel has dropped {@code lookups} references to {@code node}. */
    void forget(long node, long lookups);

    /** @param handle the open file the call came through (fstat), or -1 */
    void getattr(Request request, long node, long handle, Attr attr);

    void setattr(Request request, long node, SetattrIn changes, Attr attr);

    /**
     * @param mode the type and permissions, the umask already applied
     * @param rdev a device node's number as the kernel encodes it ({@code new_encode_dev})
     */
    void mknod(Request request, long parent, String name, int mode, int rdev, EntryOut entry);

    /** @param mode the permissions, the umask already applied */
    void mkdir(Request request, long parent, String name, int mode, EntryOut entry);

    void unlink(Request request, long parent, String name);

    void rmdir(Request request, long parent, String name);

    /** @param flags RENAME_NOREPLACE (1), RENAME_EXCHANGE (2), RENAME_WHITEOUT (4), or 0 */
    void rename(Request request, long parent, String name, long newParent, String newName, int flags);

    void link(Request request, long node, long newParent, String newName, EntryOut entry);

    /** @param target the link's contents, bytes as given, without the terminating NUL */
    void symlink(Request request, long parent, String name, byte[] target, EntryOut entry);

    /** A symbolic link's target, as given to {@link #symlink}; the kernel resolves it. */
    byte[] readlink(Request request, long node);

    /** @param flags the open(2) flags, O_TRUNC included (ATOMIC_O_TRUNC); @param openFlags FUSE_OPEN_* */
    void open(Request request, long node, int flags, int openFlags, Opened opened);

    void create(Request request, long parent, String name, int flags, int mode, int openFlags, EntryOut entry,
            Opened opened);

    /** Copies up to {@code size} bytes at {@code offset} to native {@code address}; fewer only at the end of the file. */
    int read(Request request, long node, long handle, long offset, int size, long address);

    /**
     * Stores the {@code size} bytes at native {@code address} at {@code offset}; returns how many
     * it stored. Fewer end the caller's write(2) early with that count: only for a lack of room.
     */
    int write(Request request, long node, long handle, long offset, int size, long address, int writeFlags);

    void release(Request request, long node, long handle);

    /**
     * fallocate(2) on an open file. The kernel has checked the range (no overflow, no negative
     * offset, a length above 0), the access mode, and that {@code mode} holds only
     * FALLOC_FL_KEEP_SIZE, FALLOC_FL_PUNCH_HOLE and FALLOC_FL_ZERO_RANGE; after a punch or a zeroed
     * range it drops its cached pages of the range itself. ENOSYS, the default, makes the kernel
     * answer EOPNOTSUPP from then on without asking again.
     */
    default void fallocate(Request request, long node, long handle, long offset, long length, int mode) {
        throw new FuseError(FuseError.ENOSYS, "fallocate is not served");
    }

    void opendir(Request request, long node, int flags, Opened opened);

    /** Fills entries from the position {@code cookie} (0: the start). */
    void readdir(Request request, long node, long handle, long cookie, DirectoryFill fill);

    void releasedir(Request request, long node, long handle);

    Kstatfs statfs(Request request, long node);

    void setxattr(Request request, long node, String name, byte[] value, int flags);

    /** The value; the session answers size probes and ERANGE. */
    byte[] getxattr(Request request, long node, String name);

    List<String> listxattr(Request request, long node);

    void removexattr(Request request, long node, String name);

    /** The connection has ended (unmounted or aborted): every handle and every node id is gone. */
    void destroy();
}
