package org.gntfs.engine.session;

import java.nio.ByteBuffer;
import java.util.List;
import org.gntfs.engine.abi.Attr;
import org.gntfs.engine.abi.EntryOut;
import org.gntfs.engine.abi.Kstatfs;
import org.gntfs.engine.abi.SetattrIn;
import org.gntfs.nativeio.Posix;

/**
 * The least a filesystem can do for the engine's benchmark: one regular file of 1 MiB under the
 * root, whose attributes every answer fills, and whose bytes a WRITE copies into native memory
 * as the daemon copies into granted pages. Whatever else is asked is ENOSYS.
 */
final class TrivialFilesystem implements FuseFilesystem {
    static final long FILE = 2;
    static final int FILE_SIZE = 1 << 20;

    private final ByteBuffer pages = ByteBuffer.allocateDirect(FILE_SIZE);
    private final long pagesAddress = Posix.MEMORY.getDirectBufferAddress(pages);

    private static void fill(long node, Attr attr) {
        attr.ino(node).size(FILE_SIZE).blocks(FILE_SIZE / 512).mode(0100644).nlink(1).owner(1000, 1000)
                .mtime(1_700_000_000L, 0).ctime(1_700_000_000L, 0).atime(1_700_000_000L, 0).blksize(4096);
    }

    @Override
    public void lookup(Request request, long parent, String name, EntryOut entry) {
        entry.node(FILE, 0);
        fill(FILE, entry.attr());
    }

    @Override
    public void forget(long node, long lookups) {}

    @Override
    public void getattr(Request request, long node, long handle, Attr attr) {
        fill(node, attr);
    }

    @Override
    public int write(Request request, long node, long handle, long offset, int size, long address, int writeFlags) {
        int stored = (int) Math.min(size, FILE_SIZE - offset);
        Posix.MEMORY.copyMemory(address, pagesAddress + offset, stored);
        return stored;
    }

    @Override
    public int read(Request request, long node, long handle, long offset, int size, long address) {
        int copied = (int) Math.max(0, Math.min(size, FILE_SIZE - offset));
        Posix.MEMORY.copyMemory(pagesAddress + offset, address, copied);
        return copied;
    }

    private static FuseError unserved() {
        return new FuseError(FuseError.ENOSYS, "not served by the benchmark");
    }

    @Override
    public void setattr(Request request, long node, SetattrIn changes, Attr attr) {
        throw unserved();
    }

    @Override
    public void mknod(Request request, long parent, String name, int mode, EntryOut entry) {
        throw unserved();
    }

    @Override
    public void mkdir(Request request, long parent, String name, int mode, EntryOut entry) {
        throw unserved();
    }

    @Override
    public void unlink(Request request, long parent, String name) {
        throw unserved();
    }

    @Override
    public void rmdir(Request request, long parent, String name) {
        throw unserved();
    }

    @Override
    public void rename(Request request, long parent, String name, long newParent, String newName, int flags) {
        throw unserved();
    }

    @Override
    public void link(Request request, long node, long newParent, String newName, EntryOut entry) {
        throw unserved();
    }

    @Override
    public void symlink(Request request, long parent, String name, String target, EntryOut entry) {
        throw unserved();
    }

    @Override
    public void open(Request request, long node, int flags, int openFlags, Opened opened) {
        opened.handle(1);
    }

    @Override
    public void create(Request request, long parent, String name, int flags, int mode, int openFlags, EntryOut entry,
            Opened opened) {
        throw unserved();
    }

    @Override
    public void release(Request request, long node, long handle) {}

    @Override
    public void opendir(Request request, long node, int flags, Opened opened) {
        throw unserved();
    }

    @Override
    public void readdir(Request request, long node, long handle, long cookie, DirectoryFill fill) {
        throw unserved();
    }

    @Override
    public void releasedir(Request request, long node, long handle) {}

    @Override
    public Kstatfs statfs(Request request, long node) {
        throw unserved();
    }

    @Override
    public void setxattr(Request request, long node, String name, byte[] value, int flags) {
        throw unserved();
    }

    @Override
    public byte[] getxattr(Request request, long node, String name) {
        throw unserved();
    }

    @Override
    public List<String> listxattr(Request request, long node) {
        throw unserved();
    }

    @Override
    public void removexattr(Request request, long node, String name) {
        throw unserved();
    }

    @Override
    public void destroy() {}
}
