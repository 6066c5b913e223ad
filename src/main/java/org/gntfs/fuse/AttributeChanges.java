package org.gntfs.fuse;

import java.time.Instant;
import org.gntfs.engine.abi.SetattrIn;
import org.gntfs.region.Directory;
import org.gntfs.region.Node;
import org.gntfs.region.RegionTree;
import org.gntfs.region.VirtualFile;

/** What a SETATTR asks of a node, and the set-id bits a write drops, done through the tree. */
final class AttributeChanges {
    private static final int S_ISUID = 04000;
    private static final int S_ISGID = 02000;
    private static final int S_IXGRP = 00010;
    private static final int ANY_CHANGE = SetattrIn.MODE | SetattrIn.UID | SetattrIn.GID | SetattrIn.SIZE_BIT
            | SetattrIn.ATIME | SetattrIn.MTIME | SetattrIn.ATIME_NOW | SetattrIn.MTIME_NOW | SetattrIn.KILL_SUIDGID;

    private final RegionTree tree;

    AttributeChanges(RegionTree tree) {
        this.tree = tree;
    }

    /**
     * Mode, owner, size and times, each only if the request carries it, in that order. A request
     * that carries none is {@code chown(-1, -1)}, which changes nothing but the change time, as on
     * tmpfs (the kernel sends it for the ctime it cannot send without writeback caching).
     */
    void apply(Node node, SetattrIn changes) {
        if (!changes.has(ANY_CHANGE) && !(node instanceof VirtualFile)) {
            tree.setTimes(node, node.accessed(), node.modified());
            return;
        }
        if (changes.has(SetattrIn.MODE)) {
            tree.chmod(node, changes.mode() & 07777);
        }
        if (changes.has(SetattrIn.UID) || changes.has(SetattrIn.GID)) {
            tree.chown(node, changes.has(SetattrIn.UID) ? Integer.toUnsignedLong(changes.uid()) : -1,
                    changes.has(SetattrIn.GID) ? Integer.toUnsignedLong(changes.gid()) : -1);
        }
        if (changes.has(SetattrIn.SIZE_BIT)) {
            RegionTree.asRegion(node, node.path()).resize(changes.size(), tree.now());
        }
        if (changes.has(SetattrIn.ATIME | SetattrIn.MTIME | SetattrIn.ATIME_NOW | SetattrIn.MTIME_NOW)) {
            Instant now = tree.now();
            Instant accessed = changes.has(SetattrIn.ATIME_NOW) ? now
                    : changes.has(SetattrIn.ATIME) ? Instant.ofEpochSecond(changes.atimeSeconds(), changes.atimeNanos())
                    : node.accessed();
            Instant modified = changes.has(SetattrIn.MTIME_NOW) ? now
                    : changes.has(SetattrIn.MTIME) ? Instant.ofEpochSecond(changes.mtimeSeconds(), changes.mtimeNanos())
                    : node.modified();
            tree.setTimes(node, accessed, modified);
        }
        if (changes.has(SetattrIn.KILL_SUIDGID)) {
            dropSetIds(node);
        }
    }

    /** As the kernel's should_remove_suid: set-user-ID always, set-group-ID when group-executable. */
    void dropSetIds(Node node) {
        int permissions = node.permissions();
        int dropped = permissions & ~S_ISUID;
        if ((permissions & S_IXGRP) != 0) {
            dropped &= ~S_ISGID;
        }
        if (dropped != permissions && !(node instanceof Directory)) {
            tree.chmod(node, dropped);
        }
    }
}
