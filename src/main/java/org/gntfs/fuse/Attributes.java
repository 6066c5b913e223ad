package org.gntfs.fuse;

import java.time.Instant;
import org.gntfs.engine.abi.Attr;
import org.gntfs.engine.abi.Kstatfs;
import org.gntfs.grant.PoolUsage;
import org.gntfs.protocol.Pages;
import org.gntfs.region.Directory;
import org.gntfs.region.Node;
import org.gntfs.region.Region;
import org.gntfs.region.RegionTree;
import org.gntfs.region.SpecialFile;
import org.gntfs.region.Symlink;
import org.gntfs.region.VirtualFile;

/** A node's attributes as the kernel is told them, and the grant pool as {@code statfs} shows it. */
final class Attributes {
    static final int S_IFREG = 0100000;
    static final int S_IFDIR = 0040000;
    private static final int SECTOR = 512;

    private Attributes() {}

    private static final int S_IFLNK = 0120000;
    /** tmpfs keeps a target shorter than this in the inode, a longer one in a page of its own. */
    private static final int SHORT_SYMLINK = 128;

    /** The type bits and permissions of {@code node}. */
    static int mode(Node node) {
        int type = node instanceof Directory ? S_IFDIR
                : node instanceof Symlink ? S_IFLNK
                : node instanceof SpecialFile special ? special.kind().typeBits()
                : S_IFREG;
        return type | node.permissions();
    }

    static void fill(Attr attr, Node node) {
        attr.ino(node.inode()).mode(mode(node)).owner(node.uid(), node.gid()).blksize(Pages.PAGE_SIZE);
        if (node instanceof Region region) {
            long size = region.size();
            attr.size(size).blocks(Pages.pagesFor(size) * (Pages.PAGE_SIZE / SECTOR)).nlink(region.links().size());
        } else if (node instanceof Symlink link) {
            // As tmpfs counts it: a page once the target and its NUL pass the short form.
            attr.size(link.size()).blocks(link.size() + 1 > SHORT_SYMLINK ? Pages.PAGE_SIZE / SECTOR : 0)
                    .nlink(link.links().size());
        } else if (node instanceof SpecialFile special) {
            attr.rdev(special.device()).nlink(special.links().size());
        } else if (node instanceof Directory directory) {
            attr.nlink(directory.linkCount());
        } else if (node instanceof VirtualFile) {
            // Size 0, as /proc shows: the text is rendered at open and read with direct I/O.
            attr.nlink(1);
        }
        Instant accessed = node.accessed();
        Instant modified = node.modified();
        Instant changed = node.changed();
        attr.atime(accessed.getEpochSecond(), accessed.getNano())
                .mtime(modified.getEpochSecond(), modified.getNano())
                .ctime(changed.getEpochSecond(), changed.getNano());
    }

    /** The grant pool as {@code df} shows it, a block per grant, and the tree's inodes as {@code df -i} does. */
    static Kstatfs pool(PoolUsage pool, long inodeLimit, long inodesInUse) {
        long freeInodes = Math.max(0, inodeLimit - inodesInUse);
        return new Kstatfs(pool.limit(), pool.free(), pool.free(), inodeLimit, freeInodes,
                Pages.PAGE_SIZE, RegionTree.NAME_MAX, Pages.PAGE_SIZE);
    }
}
