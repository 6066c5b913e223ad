package org.gntfs.fuse;

import org.gntfs.Fault;
import org.gntfs.GntfsException;
import org.gntfs.engine.abi.EntryOut;
import org.gntfs.engine.session.FuseError;
import org.gntfs.engine.session.Request;
import org.gntfs.region.Directory;
import org.gntfs.region.Node;
import org.gntfs.region.RegionTree;
import org.gntfs.region.SpecialFile;
import org.gntfs.region.Symlink;

/**
 * The namespace operations by node id: each goes to the tree by path, built from the parent's
 * place in it; a parent that is no longer linked (an open directory that was removed) has no
 * path, and everything in it is ENOENT. The kernel has checked permissions, the sticky bit,
 * {@code fs.protected_hardlinks}, CAP_MKNOD and the file types (no link of a directory, no
 * mknod of one) before any of these arrive; the tree refuses what it must itself.
 *
 * <p>A LINK answers with the node's own id and its new link count; UNLINK and a RENAME over a
 * name need no notification, since the kernel drops the count of its cached inode itself
 * ({@code fuse_entry_unlinked}) and refetches the ctime.
 */
final class Namespace {
    private static final int S_IFMT = 0170000;
    private static final int RENAME_NOREPLACE = 1;

    private final RegionTree tree;
    private final NodeReplies replies;

    Namespace(RegionTree tree, NodeReplies replies) {
        this.tree = tree;
        this.replies = replies;
    }

    void lookup(long parent, String name, EntryOut entry) {
        Node found;
        try {
            found = tree.lookup(pathIn(parent, name));
        } catch (GntfsException e) {
            if (e.fault() == Fault.NOT_FOUND) {
                throw new FuseError(FuseError.ENOENT, e.getMessage());
            }
            throw e;
        }
        replies.entry(entry, found);
    }

    /** A region for a regular file (mode type 0 is one too), else a fifo, socket or device node. */
    void mknod(Request request, long parent, String name, int mode, int rdev, EntryOut entry) {
        String path = pathIn(parent, name);
        int permissions = mode & 07777;
        Node made = SpecialFile.Kind.of(mode)
                .<Node>map(kind -> tree.mknod(path, kind, permissions, rdev, request.uid(), request.gid()))
                .orElseGet(() -> {
                    if ((mode & S_IFMT) != Attributes.S_IFREG && (mode & S_IFMT) != 0) {
                        throw GntfsException.of(Fault.INVALID_ARGUMENT, "mode %o names no kind of file", mode);
                    }
                    return tree.create(path, permissions, request.uid(), request.gid());
                });
        replies.entry(entry, made);
    }

    void mkdir(Request request, long parent, String name, int mode, EntryOut entry) {
        replies.entry(entry, tree.mkdir(pathIn(parent, name), mode & 07777, request.uid(), request.gid()));
    }

    void symlink(Request request, long parent, String name, byte[] target, EntryOut entry) {
        replies.entry(entry, tree.symlink(pathIn(parent, name), target, request.uid(), request.gid()));
    }

    byte[] readlink(long id) {
        if (!(replies.node(id) instanceof Symlink link)) {
            throw GntfsException.of(Fault.INVALID_ARGUMENT, "node %d is not a symbolic link", id);
        }
        return link.target();
    }

    /** The same node under one more name: the kernel takes the reply's id as the inode it has. */
    void link(long id, long newParent, String newName, EntryOut entry) {
        Node node = replies.node(id);
        tree.link(node, pathIn(newParent, newName));
        replies.entry(entry, node);
    }

    void unlink(long parent, String name) {
        tree.unlink(pathIn(parent, name));
    }

    void rmdir(long parent, String name) {
        tree.rmdir(pathIn(parent, name));
    }

    void rename(long parent, String name, long newParent, String newName, int flags) {
        if ((flags & ~RENAME_NOREPLACE) != 0) {
            throw GntfsException.of(Fault.INVALID_ARGUMENT, "rename flags %d are not supported", flags);
        }
        String target = pathIn(newParent, newName);
        if ((flags & RENAME_NOREPLACE) != 0 && exists(target)) {
            throw GntfsException.of(Fault.ALREADY_EXISTS, "%s exists", target);
        }
        tree.rename(pathIn(parent, name), target);
    }

    /** The path of {@code name} in the directory {@code parent}; ENOENT if that directory is no longer linked. */
    String pathIn(long parent, String name) {
        Node node = replies.node(parent);
        if (!(node instanceof Directory directory)) {
            throw GntfsException.of(Fault.NOT_A_DIRECTORY, "node %d is not a directory", parent);
        }
        if (!isAttached(directory)) {
            throw GntfsException.of(Fault.NOT_FOUND, "%s was removed", directory.name());
        }
        String path = directory.path();
        return (path.equals("/") ? "" : path) + "/" + name;
    }

    boolean isAttached(Directory directory) {
        for (Directory up = directory; up != tree.root(); up = up.parent()) {
            if (up == null) {
                return false;
            }
        }
        return true;
    }

    private boolean exists(String path) {
        try {
            tree.lookup(path);
            return true;
        } catch (GntfsException e) {
            return false;
        }
    }
}
