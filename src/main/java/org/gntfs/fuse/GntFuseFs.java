package org.gntfs.fuse;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import jnr.ffi.Pointer;
import jnr.ffi.types.mode_t;
import jnr.ffi.types.off_t;
import jnr.ffi.types.size_t;
import org.gntfs.Errnos;
import org.gntfs.Fault;
import org.gntfs.GntfsException;
import org.gntfs.region.Credentials;
import org.gntfs.region.Directory;
import org.gntfs.region.Node;
import org.gntfs.region.OpenText;
import org.gntfs.region.Region;
import org.gntfs.region.RegionTree;
import org.gntfs.region.VirtualFile;
import org.gntfs.region.Xattrs;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ru.serce.jnrfuse.FuseFillDir;
import ru.serce.jnrfuse.FuseStubFS;
import ru.serce.jnrfuse.struct.FileStat;
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
 * <p>The adapter knows nodes, not names: {@code .grants} is a {@link VirtualFile} of the tree,
 * which refuses every change itself, so no callback compares a path with it.
 *
 * <p>Two libfuse habits are absorbed here. Open state is keyed by {@code fi.fh}. And an unlink or
 * rename-over of an open file reaches us as a rename to a {@code .fuse_hidden*} name, which
 * {@link HiddenNames} turns into a real unlink.
 *
 * <p>The mount's lifecycle belongs to the daemon's {@code GntfsMount}: {@link #umount()} does
 * nothing, so that the shutdown hook jnr-fuse registers cannot detach the mount lazily behind its
 * back.
 */
public final class GntFuseFs extends FuseStubFS {
    private static final Logger log = LoggerFactory.getLogger(GntFuseFs.class);

    private static final int O_ACCMODE = 3;

    private final RegionTree tree;
    private final boolean keepCache;
    private final Xattrs xattrs;
    private final OpenFiles openFiles = new OpenFiles();
    private final HiddenNames hidden;
    private final Supplier<Caller> caller;
    private final CountDownLatch initialized = new CountDownLatch(1);

    /**
     * @param keepCache whether every open keeps the kernel's cached pages; otherwise only opens of
     *     read-only grants never lent for writing do, since nothing can change those pages behind
     *     the cache
     */
    public GntFuseFs(RegionTree tree, boolean keepCache, Path mountPoint) {
        this(tree, keepCache, mountPoint, null);
    }

    /** @param caller who makes each call, for calls made without libfuse; null asks libfuse */
    GntFuseFs(RegionTree tree, boolean keepCache, Path mountPoint, @Nullable Supplier<Caller> caller) {
        this.tree = tree;
        this.keepCache = keepCache;
        this.xattrs = new Xattrs(tree);
        this.hidden = new HiddenNames(tree, new InodeHolders(mountPoint));
        this.caller = caller != null ? caller : () -> Caller.of(getContext());
        FuseStructs.acceptNullPaths(fuseOperations);
    }

    /** Counted down when libfuse calls {@code init}: the mount is then live. */
    CountDownLatch initialized() {
        return initialized;
    }

    @Override
    protected String getFSName() {
        return "gntfs";
    }

    /** Left to the daemon, which unmounts cleanly first and waits; see the class comment. */
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
            NodeStat.fill(stat, hidden.lookedUp(path, caller.get()));
            return 0;
        });
    }

    @Override
    public int fgetattr(String path, FileStat stat, FuseFileInfo fi) {
        return run("fgetattr", path, () -> {
            NodeStat.fill(stat, openFiles.get(fi.fh.get()).node());
            return 0;
        });
    }

    @Override
    public int readdir(String path, Pointer buf, FuseFillDir filter, @off_t long offset, FuseFileInfo fi) {
        return run("readdir", path, () -> {
            filter.apply(buf, ".", null, 0);
            filter.apply(buf, "..", null, 0);
            for (Directory.Entry child : tree.list(path)) {
                filter.apply(buf, child.name(), null, 0);
            }
            return 0;
        });
    }

    @Override
    public int create(String path, @mode_t long mode, FuseFileInfo fi) {
        return run("create", path, () -> {
            hidden.checkFree(path);
            Caller who = caller.get();
            Region region = tree.create(path, (int) mode, who.uid(), who.gid());
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
            hidden.checkFree(path);
            Caller who = caller.get();
            tree.create(path, (int) mode, who.uid(), who.gid());
            return 0;
        });
    }

    @Override
    public int mkdir(String path, @mode_t long mode) {
        return run("mkdir", path, () -> {
            hidden.checkFree(path);
            Caller who = caller.get();
            tree.mkdir(path, (int) mode, who.uid(), who.gid());
            return 0;
        });
    }

    @Override
    public int open(String path, FuseFileInfo fi) {
        return run("open", path, () -> {
            Node node = hidden.held(path);
            if (node instanceof VirtualFile file) {
                Caller who = caller.get();
                OpenText text = file.open((fi.flags.get() & O_ACCMODE) != 0, Credentials.ofCaller(who.uid(), who.gid(), who.pid()));
                // Its size shows as 0; direct_io makes reads go past it, to the snapshot's end.
                FuseStructs.setOpenFlag(fi, FuseStructs.DIRECT_IO_BIT);
                fi.fh.set(openFiles.open(file, text));
            } else {
                Region region = RegionTree.asRegion(node, path);
                if (keepsCache(region)) {
                    FuseStructs.setOpenFlag(fi, FuseStructs.KEEP_CACHE_BIT);
                }
                fi.fh.set(openFiles.open(region));
            }
            return 0;
        });
    }

    /**
     * Without keep_cache, every open drops the kernel's cached pages: that is how the next open sees
     * stores made to the granted pages behind the cache, and how no later writeback of a stale page
     * overwrites them. Only FUSE can store to a region whose grant is read-only to the peer and that
     * has never been lent for writing, so its cached pages cannot go stale.
     */
    private boolean keepsCache(Region region) {
        return keepCache || region.changesOnlyThroughTheDaemon();
    }

    @Override
    public int read(String path, Pointer buf, @size_t long size, @off_t long offset, FuseFileInfo fi) {
        return run("read", path, () -> {
            OpenFiles.OpenFile file = openFiles.get(fi.fh.get());
            if (file instanceof OpenFiles.RegionFile regionFile) {
                return regionFile.region().read(offset, buf.address(), (int) size);
            }
            byte[] text = ((OpenFiles.SnapshotFile) file).text().read(offset, (int) size);
            buf.put(0, text, 0, text.length);
            return text.length;
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
        return changeAttributes("truncate", path, node -> RegionTree.asRegion(node, path).resize(size, tree.now()));
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
            if (released != null && hidden.isHidden(released) && !openFiles.isOpen(released)) {
                hidden.lastClosed(released, path);
            }
            return 0;
        });
    }

    @Override
    public int unlink(String path) {
        return run("unlink", path, () -> {
            if (!hidden.takeFinalUnlink(path)) {
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
            String newName = RegionTree.lastName(newpath);
            // libfuse hides only open files; a user may name a closed file anything.
            if (tree.lookup(oldpath) instanceof Region region
                    && HiddenNames.isHidingName(newName)
                    && openFiles.isOpen(region)) {
                hidden.hide(newpath, region);
                tree.unlink(oldpath);
            } else {
                hidden.checkFree(newpath);
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
        return changeAttributes("chmod", path, node -> tree.chmod(node, (int) mode));
    }

    @Override
    public int chown(String path, long uid, long gid) {
        return changeAttributes("chown", path, node -> tree.chown(node, uid, gid));
    }

    @Override
    public int utimens(String path, Timespec[] timespec) {
        return changeAttributes("utimens", path, node -> tree.setTimes(node, instant(timespec[0]), instant(timespec[1])));
    }

    @Override
    public int statfs(String path, Statvfs stbuf) {
        return run("statfs", path, () -> {
            NodeStat.fillPool(stbuf, tree.usage(), tree.inodeLimit(), tree.inodesInUse());
            return 0;
        });
    }

    @Override
    public int getxattr(String path, String name, Pointer value, @size_t long size) {
        if (Xattrs.isAlwaysAbsent(name)) {
            return -Errnos.ENODATA;
        }
        return run("getxattr", path, () -> reply(xattrs.get(hidden.held(path), name), value, size));
    }

    @Override
    public int setxattr(String path, String name, Pointer value, @size_t long size, int flags) {
        return run("setxattr", path, () -> {
            byte[] bytes = new byte[(int) size];
            value.get(0, bytes, 0, bytes.length);
            Node node = hidden.held(path);
            xattrs.checkMaySet(node, name, bytes, caller.get().uid());
            xattrs.set(node, name, bytes, flags);
            return 0;
        });
    }

    @Override
    public int listxattr(String path, Pointer list, @size_t long size) {
        return run("listxattr", path, () -> {
            StringBuilder names = new StringBuilder();
            xattrs.list(hidden.held(path)).forEach(name -> names.append(name).append('\0'));
            return reply(names.toString().getBytes(UTF_8), list, size);
        });
    }

    @Override
    public int removexattr(String path, String name) {
        return run("removexattr", path, () -> {
            Node node = hidden.held(path);
            xattrs.checkMayChange(node, name, caller.get().uid());
            xattrs.remove(node, name);
            return 0;
        });
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
        } catch (OutOfMemoryError e) {
            // The request that found the heap full fails; its garbage is gone once it returns, and
            // the loop goes on serving. No stack trace: printing one would need the memory.
            log.error("{} {}: out of memory", operation, path);
            return -Errnos.of(Fault.OUT_OF_MEMORY);
        } catch (Throwable t) {
            log.error("{} {} failed", operation, path, t);
            return -Errnos.EIO;
        }
    }

    /** chmod, chown, truncate and utimens: a change of the node at {@code path}. */
    private int changeAttributes(String operation, String path, Consumer<Node> change) {
        return run(operation, path, () -> {
            change.accept(hidden.held(path));
            return 0;
        });
    }

    private static Instant instant(Timespec time) {
        return Instant.ofEpochSecond(time.tv_sec.get(), time.tv_nsec.longValue());
    }
}
