package org.gntfs.fuse;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.google.common.collect.ImmutableList;
import java.util.List;
import org.gntfs.Fault;
import org.gntfs.GntfsException;
import org.gntfs.engine.abi.Attr;
import org.gntfs.engine.abi.EntryOut;
import org.gntfs.engine.abi.Kstatfs;
import org.gntfs.engine.abi.OpenOut;
import org.gntfs.engine.abi.SetattrIn;
import org.gntfs.engine.node.NodeTable;
import org.gntfs.engine.session.DirectoryFill;
import org.gntfs.engine.session.FuseError;
import org.gntfs.engine.session.FuseFilesystem;
import org.gntfs.engine.session.Opened;
import org.gntfs.engine.session.Request;
import org.gntfs.protocol.Pages;
import org.gntfs.region.Credentials;
import org.gntfs.region.Directory;
import org.gntfs.region.Node;
import org.gntfs.region.OpenText;
import org.gntfs.region.Region;
import org.gntfs.region.RegionTree;
import org.gntfs.region.VirtualFile;
import org.gntfs.region.Xattrs;

/**
 * The region model served by node id through the FUSE engine. A node's id is its inode number,
 * which the tree never reuses, so the kernel never mistakes a new node for an old one; the root
 * is 1 in both. The kernel keeps an unlinked node that is still open by its id: no hidden names,
 * and {@code fstat} of an open file whose directory is gone still answers.
 *
 * <p>Namespace changes (lookup, mknod, mkdir, symlink, link, unlink, rmdir, rename, readlink) are
 * the {@link Namespace}'s; the replies that hand nodes to the kernel, {@link NodeReplies}'.
 *
 * <p>{@code flush} and {@code fsync} stay unserved (ENOSYS, which the kernel remembers): the kernel
 * writes dirty pages back into the granted pages, through {@link #write}, before it would send them.
 * Suid and sgid bits are cleared here on write, truncate and chown (HANDLE_KILLPRIV_V2), which
 * spares every write the kernel's GETXATTR of {@code security.capability}.
 */
final class KernelFs implements FuseFilesystem {
    private static final int O_ACCMODE = 3;
    private static final int O_TRUNC = 01000;
    private static final byte[] DOT = {'.'};
    private static final byte[] DOT_DOT = {'.', '.'};

    private final RegionTree tree;
    private final boolean keepCache;
    private final Xattrs xattrs;
    private final NodeReplies replies;
    private final Namespace namespace;
    private final Handles handles = new Handles();
    private final AttributeChanges attributeChanges;

    KernelFs(RegionTree tree, boolean keepCache) {
        this.tree = tree;
        this.keepCache = keepCache;
        this.xattrs = new Xattrs(tree);
        this.attributeChanges = new AttributeChanges(tree);
        this.replies = new NodeReplies(tree);
        this.namespace = new Namespace(tree, replies);
    }

    NodeTable<Node> nodes() {
        return replies.table();
    }

    @Override
    public void lookup(Request request, long parent, String name, EntryOut entry) {
        namespace.lookup(parent, name, entry);
    }

    @Override
    public void forget(long node, long lookups) {
        replies.table().forget(node, lookups);
    }

    @Override
    public void getattr(Request request, long node, long handle, Attr attr) {
        replies.attr(attr, handle >= 0 ? handles.get(handle).node() : replies.node(node));
    }

    @Override
    public void setattr(Request request, long id, SetattrIn changes, Attr attr) {
        Node node = changes.has(SetattrIn.FH) ? handles.get(changes.handle()).node() : replies.node(id);
        attributeChanges.apply(node, changes);
        replies.attr(attr, node);
    }

    @Override
    public void mknod(Request request, long parent, String name, int mode, int rdev, EntryOut entry) {
        namespace.mknod(request, parent, name, mode, rdev, entry);
    }

    @Override
    public void mkdir(Request request, long parent, String name, int mode, EntryOut entry) {
        namespace.mkdir(request, parent, name, mode, entry);
    }

    @Override
    public void unlink(Request request, long parent, String name) {
        namespace.unlink(parent, name);
    }

    @Override
    public void rmdir(Request request, long parent, String name) {
        namespace.rmdir(parent, name);
    }

    @Override
    public void rename(Request request, long parent, String name, long newParent, String newName, int flags) {
        namespace.rename(parent, name, newParent, newName, flags);
    }

    @Override
    public void link(Request request, long node, long newParent, String newName, EntryOut entry) {
        namespace.link(node, newParent, newName, entry);
    }

    @Override
    public void symlink(Request request, long parent, String name, byte[] target, EntryOut entry) {
        namespace.symlink(request, parent, name, target, entry);
    }

    @Override
    public byte[] readlink(Request request, long node) {
        return namespace.readlink(node);
    }

    @Override
    public void open(Request request, long id, int flags, int openFlags, Opened opened) {
        Node node = replies.node(id);
        if (node instanceof VirtualFile file) {
            OpenText text = file.open((flags & O_ACCMODE) != 0,
                    Credentials.ofCaller(request.uid(), request.gid(), request.pid()));
            // Its size shows as 0; direct I/O makes reads go past it, to the snapshot's end.
            opened.handle(handles.add(new Handles.Snapshot(file, text))).flags(OpenOut.DIRECT_IO);
            return;
        }
        Region region = RegionTree.asRegion(node, node.path());
        if ((flags & O_TRUNC) != 0) {
            region.resize(0, tree.now());
        }
        if ((openFlags & org.gntfs.engine.abi.Bodies.OPEN_KILL_SUIDGID) != 0) {
            attributeChanges.dropSetIds(region);
        }
        openRegion(region, opened);
    }

    @Override
    public void create(Request request, long parent, String name, int flags, int mode, int openFlags, EntryOut entry,
            Opened opened) {
        Region region = tree.create(namespace.pathIn(parent, name), mode & 07777, request.uid(), request.gid());
        replies.entry(entry, region);
        openRegion(region, opened);
    }

    /**
     * Without keep_cache every open drops the cached pages: that is how the next open sees the
     * stores of a peer or a direct writer, and how no later writeback of a stale page overwrites
     * them. A region whose pages change only through the daemon has no such stores to see.
     */
    private void openRegion(Region region, Opened opened) {
        opened.handle(handles.add(new Handles.Opened(region)));
        if (keepCache || region.changesOnlyThroughTheDaemon()) {
            opened.flags(OpenOut.KEEP_CACHE);
        }
    }

    @Override
    public int read(Request request, long node, long handle, long offset, int size, long address) {
        Handles.Handle open = handles.get(handle);
        if (open instanceof Handles.Opened opened) {
            return opened.region().read(offset, address, size);
        }
        return handles.get(handle, Handles.Snapshot.class).text().read(offset, address, size);
    }

    @Override
    public int write(Request request, long node, long handle, long offset, int size, long address, int writeFlags) {
        Node target = handles.get(handle).node();
        Region region = RegionTree.asRegion(target, target.path());
        int stored = writeWhatFits(region, offset, size, address);
        if ((writeFlags & org.gntfs.engine.abi.Bodies.WRITE_KILL_SUIDGID) != 0) {
            attributeChanges.dropSetIds(region);
        }
        return stored;
    }

    /**
     * Writes all, or when the grant pool runs out, the whole pages that still fit: the caller's
     * write(2) then returns that much, and its next write gets ENOSPC, as on a full tmpfs.
     */
    private int writeWhatFits(Region region, long offset, int size, long address) {
        try {
            region.write(offset, address, size, tree.now());
            return size;
        } catch (GntfsException e) {
            if (e.fault() != Fault.NO_SPACE) {
                throw e;
            }
            long room = (region.pages() + tree.usage().free()) * Pages.PAGE_SIZE - offset;
            if (room <= 0 || room >= size) {
                throw e;
            }
            region.write(offset, address, (int) room, tree.now());
            return (int) room;
        }
    }

    @Override
    public void fallocate(Request request, long node, long handle, long offset, long length, int mode) {
        Node target = handles.get(handle).node();
        Fallocate.apply(RegionTree.asRegion(target, target.path()), offset, length, mode, tree.now());
    }

    @Override
    public void release(Request request, long node, long handle) {
        handles.release(handle);
    }

    @Override
    public void opendir(Request request, long id, int flags, Opened opened) {
        if (!(replies.node(id) instanceof Directory directory)) {
            throw GntfsException.of(Fault.NOT_A_DIRECTORY, "node %d is not a directory", id);
        }
        opened.handle(handles.add(new Handles.Listing(directory)));
    }

    /**
     * Cookies are positions in the listing taken when the reader starts from the top: 1 for ".",
     * 2 for "..", then the children in name order. Resuming never skips or repeats an entry.
     */
    @Override
    public void readdir(Request request, long node, long handle, long cookie, DirectoryFill fill) {
        Handles.Listing listing = handles.get(handle, Handles.Listing.class);
        Directory directory = listing.directory();
        if (cookie == 0) {
            listing.restart(namespace.isAttached(directory) ? tree.list(directory.path()) : ImmutableList.of());
        }
        ImmutableList<Directory.Entry> entries = listing.entries();
        Directory parent = directory.parent();
        for (long position = cookie; position < entries.size() + 2; position++) {
            boolean added;
            if (position < 2) {
                Node self = position == 0 || parent == null ? directory : parent;
                added = addEntry(fill, position == 0 ? DOT : DOT_DOT, self, position + 1, null);
            } else {
                Directory.Entry child = entries.get((int) position - 2);
                added = addEntry(fill, child.name().getBytes(UTF_8), child.node(), position + 1,
                        child.node().isNamed(directory, child.name()) ? child.node() : null);
            }
            if (!added) {
                return;
            }
        }
    }

    /** Adds one entry; in plus mode with the attributes of {@code known}, unless it is null (".", "..", gone). */
    private boolean addEntry(DirectoryFill fill, byte[] name, Node node, long next, Node known) {
        int mode = Attributes.mode(node);
        if (!fill.plus()) {
            return fill.add(name, node.inode(), mode, next);
        }
        EntryOut entry = fill.addPlus(name, node.inode(), mode, next);
        if (entry != null && known != null) {
            replies.entry(entry, known);
        }
        return entry != null;
    }

    @Override
    public void releasedir(Request request, long node, long handle) {
        handles.release(handle);
    }

    @Override
    public Kstatfs statfs(Request request, long node) {
        return Attributes.pool(tree.usage(), tree.inodeLimit(), tree.inodesInUse());
    }

    @Override
    public void setxattr(Request request, long id, String name, byte[] value, int flags) {
        Node node = replies.node(id);
        xattrs.checkMaySet(node, name, value, request.uid());
        xattrs.set(node, name, value, flags);
    }

    @Override
    public byte[] getxattr(Request request, long id, String name) {
        // The kernel may ask for security.* often; answered before any lookup.
        if (Xattrs.isAlwaysAbsent(name)) {
            throw new FuseError(FuseError.ENODATA, name);
        }
        return xattrs.get(replies.node(id), name);
    }

    @Override
    public List<String> listxattr(Request request, long id) {
        return xattrs.list(replies.node(id));
    }

    @Override
    public void removexattr(Request request, long id, String name) {
        Node node = replies.node(id);
        xattrs.checkMayChange(node, name, request.uid());
        xattrs.remove(node, name);
    }

    @Override
    public void destroy() {
        handles.releaseAll();
        replies.table().clear();
    }
}
