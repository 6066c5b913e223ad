package org.gntfs.fuse;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.function.IntSupplier;
import jnr.ffi.Pointer;
import jnr.ffi.Struct;
import jnr.ffi.types.mode_t;
import jnr.ffi.types.off_t;
import jnr.ffi.types.size_t;
import org.gntfs.Errnos;
import org.gntfs.Fault;
import org.gntfs.GntfsException;
import org.gntfs.grant.GrantAllocation;
import org.gntfs.grant.PoolUsage;
import org.gntfs.region.Directory;
import org.gntfs.region.GrantsReport;
import org.gntfs.region.Node;
import org.gntfs.region.Region;
import org.gntfs.region.RegionTree;
import org.gntfs.region.Xattrs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ru.serce.jnrfuse.FuseFillDir;
import ru.serce.jnrfuse.FuseStubFS;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.FuseContext;
import ru.serce.jnrfuse.struct.FuseFileInfo;
import ru.serce.jnrfuse.struct.Statvfs;
import ru.serce.jnrfuse.struct.Timespec;

/**
 * The jnr-fuse adapter: decodes each callback's arguments, calls the region model, and turns
 * its exceptions into errnos. Every callback goes through {@link #run}, because jnr-fuse turns an
 * escaping exception into success.
 *
 * <p>{@code flush} and {@code fsync} are deliberately not implemented: the kernel writes dirty
 * pages back (into the granted pages, through {@link #write}) before it would send either, and
 * once libfuse answers ENOSYS it stops sending them, which spares every close and msync a round
 * trip.
 *
 * <p>Two libfuse habits are absorbed here. Open state is keyed by {@code fi.fh}. And an unlink or
 * rename-over of an open file reaches us as a rename to a {@code .fuse_hidden*} name, which
 * {@link HiddenNames} turns into a real unlink.
 *
 * <p>The mount's lifecycle belongs to {@link GntfsMount}: {@link #umount()} does nothing, so that
 * the shutdown hook jnr-fuse registers cannot detach the mount lazily behind its back.
 */
public final class GntFuseFs extends FuseStubFS {
    private static final Logger log = LoggerFactory.getLogger(GntFuseFs.class);

    private static final String REPORT_PATH = "/" + GrantsReport.FILE_NAME;
    private static final int O_ACCMODE = 3;
    /** In libfuse 2.9's struct fuse_file_info, the bitfield word after flags, fh_old and writepage. */
    private static final int FILE_INFO_BITS_OFFSET = 20;
    private static final int DIRECT_IO_BIT = 1;
    private static final int KEEP_CACHE_BIT = 2;

    private final RegionTree tree;
    private final boolean keepCache;
    private final Xattrs xattrs;
    private final OpenFiles openFiles = new OpenFiles();
    private final HiddenNames hidden = new HiddenNames();
    private final long reportInode;
    private final CountDownLatch initialized = new CountDownLatch(1);

    /**
     * @param keepCache whether every open keeps the kernel's cached pages; otherwise only opens of
     *     read-only grants do, since no peer can change those pages behind the cache
     */
    public GntFuseFs(RegionTree tree, boolean keepCache) {
        this.tree = tree;
        this.keepCache = keepCache;
        this.xattrs = new Xattrs(tree);
        this.reportInode = tree.newInode();
        acceptNullPaths();
    }

    /**
     * libfuse builds the path of every call from its own node tree. An unlinked open file whose
     * directory is then removed has no path there, so libfuse would fail its reads, writes and
     * truncates with ENOENT, where tmpfs carries on. With flag_nullpath_ok it calls us with the
     * handle and a null path instead; every handle-based callback here goes by the handle. (fstat
     * still fails: the kernel asks for it by inode, and libfuse 2 answers that by path.)
     */
    private void acceptNullPaths() {
        Pointer operations = Struct.getMemory(fuseOperations);
        long flags = StructOffsets.of(fuseOperations.flag_nullpath_ok);
        operations.putInt(flags, operations.getInt(flags) | 1);
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

    /** Counted down when libfuse calls {@code init}: the mount is then live. */
    CountDownLatch initialized() {
        return initialized;
    }

    @Override
    protected String getFSName() {
        return "gntfs";
    }

    /** Left to {@link GntfsMount}, which unmounts cleanly first and waits; see the class comment. */
    @Override
    public void umount() {}

    @Override
    public Pointer init(Pointer conn) {
        initialized.countDown();
        return null;
    }

    @Override
    public int getattr(String path, FileStat stat) {
        return run("getattr", path, () -> {
            if (path.equals(REPORT_PATH)) {
                fillReport(stat, report().length);
            } else {
                fill(stat, node(path));
            }
            return 0;
        });
    }

    @Override
    public int fgetattr(String path, FileStat stat, FuseFileInfo fi) {
        return run("fgetattr", path, () -> {
            if (openFiles.get(fi.fh.get()) instanceof OpenFiles.RegionFile file) {
                fill(stat, file.region());
            } else {
                fillReport(stat, report().length);
            }
            return 0;
        });
    }

    @Override
    public int readdir(String path, Pointer buf, FuseFillDir filter, @off_t long offset, FuseFileInfo fi) {
        return run("readdir", path, () -> {
            filter.apply(buf, ".", null, 0);
            filter.apply(buf, "..", null, 0);
            if (path.equals("/")) {
                filter.apply(buf, GrantsReport.FILE_NAME, null, 0);
            }
            for (Node child : tree.list(path)) {
                filter.apply(buf, child.name(), null, 0);
            }
            return 0;
        });
    }

    @Override
    public int create(String path, @mode_t long mode, FuseFileInfo fi) {
        return run("create", path, () -> {
            refuseReportName(path);
            FuseContext caller = getContext();
            Region region = tree.create(path, (int) mode, caller.uid.intValue(), caller.gid.intValue());
            fi.fh.set(openFiles.open(region));
            return 0;
        });
    }

    @Override
    public int mknod(String path, @mode_t long mode, long rdev) {
        return run("mknod", path, () -> {
            if ((mode & FileStat.S_IFMT) != FileStat.S_IFREG) {
                throw GntfsException.of(Fault.NOT_PERMITTED, "only regular files and directories exist here");
            }
            refuseReportName(path);
            FuseContext caller = getContext();
            tree.create(path, (int) mode, caller.uid.intValue(), caller.gid.intValue());
            return 0;
        });
    }

    @Override
    public int mkdir(String path, @mode_t long mode) {
        return run("mkdir", path, () -> {
            refuseReportName(path);
            FuseContext caller = getContext();
            tree.mkdir(path, (int) mode, caller.uid.intValue(), caller.gid.intValue());
            return 0;
        });
    }

    @Override
    public int open(String path, FuseFileInfo fi) {
        return run("open", path, () -> {
            if (path.equals(REPORT_PATH)) {
                if ((fi.flags.get() & O_ACCMODE) != 0) {
                    throw GntfsException.of(Fault.ACCESS_DENIED, "%s is read-only", path);
                }
                // The report changes between getattr and read; direct_io lets reads ignore the cached size.
                setOpenFlag(fi, DIRECT_IO_BIT);
                fi.fh.set(openFiles.open(report()));
            } else {
                Region region = region(path);
                // Without keep_cache, every open drops the cached pages: that is how the next open
                // sees a peer's stores. A read-only grant has no such stores to see.
                if (keepCache || !region.writable()) {
                    setOpenFlag(fi, KEEP_CACHE_BIT);
                }
                fi.fh.set(openFiles.open(region));
            }
            return 0;
        });
    }

    @Override
    public int read(String path, Pointer buf, @size_t long size, @off_t long offset, FuseFileInfo fi) {
        return run("read", path, () -> {
            OpenFiles.OpenFile file = openFiles.get(fi.fh.get());
            if (file instanceof OpenFiles.RegionFile regionFile) {
                return regionFile.region().read(offset, buf.address(), (int) size);
            }
            byte[] text = ((OpenFiles.ReportFile) file).text();
            int count = (int) Math.max(0, Math.min(size, text.length - offset));
            buf.put(0, text, (int) Math.min(offset, text.length), count);
            return count;
        });
    }

    @Override
    public int write(String path, Pointer buf, @size_t long size, @off_t long offset, FuseFileInfo fi) {
        return run("write", path, () -> {
            openFiles.region(fi.fh.get()).write(offset, buf.address(), (int) size, tree.now());
            return (int) size;
        });
    }

    @Override
    public int truncate(String path, @off_t long size) {
        return run("truncate", path, () -> {
            region(path).resize(size, tree.now());
            return 0;
        });
    }

    @Override
    public int ftruncate(String path, @off_t long size, FuseFileInfo fi) {
        return run("ftruncate", path, () -> {
            openFiles.region(fi.fh.get()).resize(size, tree.now());
            return 0;
        });
    }

    @Override
    public int release(String path, FuseFileInfo fi) {
        return run("release", path, () -> {
            Region released = openFiles.release(fi.fh.get());
            // A null path: libfuse can no longer name the file, so it will not unlink its hidden name.
            if (path == null && released != null && released.isReleased()) {
                hidden.forget(released);
            }
            return 0;
        });
    }

    @Override
    public int unlink(String path) {
        return run("unlink", path, () -> {
            refuseReportName(path);
            if (!hidden.forget(RegionTree.lastName(path))) {
                tree.unlink(path);
            }
            return 0;
        });
    }

    @Override
    public int rmdir(String path) {
        return run("rmdir", path, () -> {
            tree.rmdir(path);
            return 0;
        });
    }

    @Override
    public int rename(String oldpath, String newpath) {
        return run("rename", oldpath, () -> {
            refuseReportName(oldpath);
            refuseReportName(newpath);
            String newName = RegionTree.lastName(newpath);
            if (tree.lookup(oldpath) instanceof Region region && HiddenNames.isHiding(newName, region)) {
                hidden.hide(newName, region);
                tree.unlink(oldpath);
            } else {
                tree.rename(oldpath, newpath);
            }
            return 0;
        });
    }

    @Override
    public int link(String oldpath, String newpath) {
        return run("link", newpath, () -> {
            throw GntfsException.of(Fault.NOT_PERMITTED, "a region has exactly one name");
        });
    }

    @Override
    public int symlink(String oldpath, String newpath) {
        return run("symlink", newpath, () -> {
            throw GntfsException.of(Fault.NOT_PERMITTED, "only regular files and directories exist here");
        });
    }

    @Override
    public int chmod(String path, @mode_t long mode) {
        return run("chmod", path, () -> {
            refuseReportName(path);
            tree.chmod(node(path), (int) mode);
            return 0;
        });
    }

    @Override
    public int chown(String path, long uid, long gid) {
        return run("chown", path, () -> {
            refuseReportName(path);
            tree.chown(node(path), uid, gid);
            return 0;
        });
    }

    @Override
    public int utimens(String path, Timespec[] timespec) {
        return run("utimens", path, () -> {
            refuseReportName(path);
            tree.setTimes(node(path), instant(timespec[0]), instant(timespec[1]));
            return 0;
        });
    }

    @Override
    public int statfs(String path, Statvfs stbuf) {
        return run("statfs", path, () -> {
            PoolUsage pool = tree.usage();
            stbuf.f_bsize.set(GrantAllocation.PAGE_SIZE);
            stbuf.f_frsize.set(GrantAllocation.PAGE_SIZE);
            stbuf.f_blocks.set(pool.limit());
            stbuf.f_bfree.set(pool.free());
            stbuf.f_bavail.set(pool.free());
            stbuf.f_files.set(pool.limit());
            stbuf.f_ffree.set(pool.free());
            stbuf.f_namemax.set(RegionTree.NAME_MAX);
            return 0;
        });
    }

    @Override
    public int getxattr(String path, String name, Pointer value, @size_t long size) {
        if (Xattrs.isAlwaysAbsent(name)) {
            return -Errnos.ENODATA;
        }
        return run("getxattr", path, () -> reply(xattrs.get(xattrNode(path), name), value, size));
    }

    @Override
    public int setxattr(String path, String name, Pointer value, @size_t long size, int flags) {
        return run("setxattr", path, () -> {
            byte[] bytes = new byte[(int) size];
            value.get(0, bytes, 0, bytes.length);
            Node node = xattrNode(path);
            xattrs.checkMayChange(node, name, getContext().uid.intValue());
            xattrs.set(node, name, bytes, flags);
            return 0;
        });
    }

    @Override
    public int listxattr(String path, Pointer list, @size_t long size) {
        return run("listxattr", path, () -> {
            StringBuilder names = new StringBuilder();
            if (!path.equals(REPORT_PATH)) {
                xattrs.list(xattrNode(path)).forEach(name -> names.append(name).append('\0'));
            }
            return reply(names.toString().getBytes(UTF_8), list, size);
        });
    }

    @Override
    public int removexattr(String path, String name) {
        return run("removexattr", path, () -> {
            Node node = xattrNode(path);
            xattrs.checkMayChange(node, name, getContext().uid.intValue());
            xattrs.remove(node, name);
            return 0;
        });
    }

    /** Sets a bit of fuse_file_info's flag word, which jnr-fuse maps only as padding. */
    private static void setOpenFlag(FuseFileInfo fi, int bit) {
        Pointer info = Struct.getMemory(fi);
        info.putInt(FILE_INFO_BITS_OFFSET, info.getInt(FILE_INFO_BITS_OFFSET) | bit);
    }

    /** Answers an xattr call: the length for a size probe, else the bytes, or ERANGE. */
    private static int reply(byte[] bytes, Pointer buffer, long size) {
        if (size == 0) {
            return bytes.length;
        }
        if (size < bytes.length) {
            throw GntfsException.of(Fault.OUT_OF_RANGE, "%d bytes do not fit in %d", bytes.length, size);
        }
        buffer.put(0, bytes, 0, bytes.length);
        return bytes.length;
    }

    private int run(String operation, String path, IntSupplier body) {
        try {
            return body.getAsInt();
        } catch (GntfsException e) {
            log.debug("{} {}: {}", operation, path, e.getMessage());
            return -Errnos.of(e.fault());
        } catch (Throwable t) {
            log.error("{} {} failed", operation, path, t);
            return -Errnos.EIO;
        }
    }

    /** The node at {@code path}, hidden names included. */
    private Node node(String path) {
        Region hiddenRegion = hidden.get(RegionTree.lastName(path));
        return hiddenRegion != null ? hiddenRegion : tree.lookup(path);
    }

    private Region region(String path) {
        return RegionTree.asRegion(node(path), path);
    }

    private Node xattrNode(String path) {
        if (path.equals(REPORT_PATH)) {
            throw GntfsException.of(Fault.NOT_PERMITTED, "%s has no attributes", path);
        }
        return node(path);
    }

    private byte[] report() {
        return GrantsReport.render(tree.liveRegions()).getBytes(UTF_8);
    }

    private static void refuseReportName(String path) {
        if (path.equals(REPORT_PATH)) {
            throw GntfsException.of(Fault.NOT_PERMITTED, "%s is the mount's report", path);
        }
    }

    private static Instant instant(Timespec time) {
        return Instant.ofEpochSecond(time.tv_sec.get(), time.tv_nsec.longValue());
    }

    private void fill(FileStat stat, Node node) {
        if (node instanceof Region region) {
            long size = region.size();
            stat.st_mode.set(FileStat.S_IFREG | region.permissions());
            stat.st_nlink.set(region.isLinked() ? 1 : 0);
            stat.st_size.set(size);
            stat.st_blocks.set(Region.pagesFor(size) * (GrantAllocation.PAGE_SIZE / 512));
        } else if (node instanceof Directory directory) {
            stat.st_mode.set(FileStat.S_IFDIR | directory.permissions());
            stat.st_nlink.set(directory.linkCount());
        }
        stat.st_ino.set(node.inode());
        stat.st_uid.set(node.uid());
        stat.st_gid.set(node.gid());
        stat.st_blksize.set(GrantAllocation.PAGE_SIZE);
        setTime(stat.st_atim, node.accessed());
        setTime(stat.st_mtim, node.modified());
        setTime(stat.st_ctim, node.changed());
    }

    private void fillReport(FileStat stat, long size) {
        Directory root = tree.root();
        stat.st_mode.set(FileStat.S_IFREG | 0444);
        stat.st_nlink.set(1);
        stat.st_size.set(size);
        stat.st_ino.set(reportInode);
        stat.st_uid.set(root.uid());
        stat.st_gid.set(root.gid());
        Instant now = tree.now();
        setTime(stat.st_atim, now);
        setTime(stat.st_mtim, now);
        setTime(stat.st_ctim, now);
    }

    private static void setTime(Timespec target, Instant time) {
        target.tv_sec.set(time.getEpochSecond());
        target.tv_nsec.set(time.getNano());
    }
}
