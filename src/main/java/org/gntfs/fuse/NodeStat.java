package org.gntfs.fuse;

import java.time.Instant;
import org.gntfs.grant.PoolUsage;
import org.gntfs.protocol.Pages;
import org.gntfs.region.Directory;
import org.gntfs.region.Node;
import org.gntfs.region.Region;
import org.gntfs.region.RegionTree;
import org.gntfs.region.VirtualFile;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.Statvfs;
import ru.serce.jnrfuse.struct.Timespec;

/** A node's attributes as {@code stat} shows them, and the pool's as {@code statfs} does. */
final class NodeStat {
    private static final int SECTOR = 512;

    private NodeStat() {}

    static void fill(FileStat stat, Node node) {
        if (node instanceof Region region) {
            long size = region.size();
            stat.st_mode.set(FileStat.S_IFREG | region.permissions());
            stat.st_nlink.set(region.isLinked() ? 1 : 0);
            stat.st_size.set(size);
            stat.st_blocks.set(Pages.pagesFor(size) * (Pages.PAGE_SIZE / SECTOR));
        } else if (node instanceof Directory directory) {
            stat.st_mode.set(FileStat.S_IFDIR | directory.permissions());
            stat.st_nlink.set(directory.linkCount());
        } else if (node instanceof VirtualFile file) {
            // Size 0, as /proc shows: the text is rendered at open and read with direct I/O.
            stat.st_mode.set(FileStat.S_IFREG | file.permissions());
            stat.st_nlink.set(1);
            stat.st_size.set(0);
        }
        stat.st_ino.set(node.inode());
        stat.st_uid.set(node.uid());
        stat.st_gid.set(node.gid());
        stat.st_blksize.set(Pages.PAGE_SIZE);
        setTime(stat.st_atim, node.accessed());
        setTime(stat.st_mtim, node.modified());
        setTime(stat.st_ctim, node.changed());
    }

    /** The grant pool as {@code df} shows it, a block per grant, and the tree's inodes as {@code df -i} does. */
    static void fillPool(Statvfs stbuf, PoolUsage pool, long inodeLimit, long inodesInUse) {
        stbuf.f_bsize.set(Pages.PAGE_SIZE);
        stbuf.f_frsize.set(Pages.PAGE_SIZE);
        stbuf.f_blocks.set(pool.limit());
        stbuf.f_bfree.set(pool.free());
        stbuf.f_bavail.set(pool.free());
        stbuf.f_files.set(inodeLimit);
        stbuf.f_ffree.set(Math.max(0, inodeLimit - inodesInUse));
        stbuf.f_favail.set(Math.max(0, inodeLimit - inodesInUse));
        stbuf.f_namemax.set(RegionTree.NAME_MAX);
    }

    private static void setTime(Timespec target, Instant time) {
        target.tv_sec.set(time.getEpochSecond());
        target.tv_nsec.set(time.getNano());
    }
}
