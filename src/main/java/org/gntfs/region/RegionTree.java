package org.gntfs.region;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.gntfs.Fault;
import org.gntfs.GntfsException;
import org.gntfs.Limits;
import org.gntfs.grant.GrantBackend;
import org.gntfs.grant.PoolUsage;
import org.gntfs.protocol.GrantsFile;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The namespace of a mount: directories, regions, symbolic links and special files by path, with
 * POSIX rules for create, link, unlink, rmdir and rename. Paths are absolute and '/'-separated,
 * as FUSE gives them ({@link TreePaths}). A node other than a directory may have several names
 * (hard links); a region lives while it has a name or a holder, any other node while it has a
 * name, and a link takes no inode, grant or charge.
 *
 * <p>The root holds the {@code .grants} report as a {@link VirtualFile}, which refuses changes itself;
 * it holds the lock only to copy the tree's shape (see {@link GrantsReport}), never to render.
 *
 * <p>Locking: one read-write lock orders every change of the namespace, a node's names included
 * (volatile, so that getattr reads a link count without it); lookups share it. Region
 * contents have their own locks and are never touched while this one is held: a region that an
 * unlink removed or a rename replaced is released after the namespace lock is dropped. A release
 * the backend fails goes on in the tree's {@link Reaper}, stopped by {@link #releaseAll}.
 */
public final class RegionTree {
    private static final Logger log = LoggerFactory.getLogger(RegionTree.class);

    /** The longest name, in UTF-8 bytes, as on tmpfs. */
    public static final int NAME_MAX = TreePaths.NAME_MAX;

    /** A symbolic link's target is shorter than a path may be, as the kernel's getname has it. */
    private static final int PATH_MAX = 4096;
    private static final int SET_GROUP_ID = 02000;

    private final GrantBackend backend;
    private final InstantSource clock;
    private final int mountDomid;
    private final ImmutableMap<String, String> mountProperties;
    private final ReadWriteGuard lock = new ReadWriteGuard();
    private final AtomicLong inodes = new AtomicLong(1);
    private final TreeLimits limits;
    private final Directory root;
    private final Set<Region> live = ConcurrentHashMap.newKeySet();
    private final Reaper reaper = new Reaper();

    /**
     * @param mountDomid the domid of regions whose directories set none
     * @param mountProperties read-only facts shown as {@code user.gnt.*} on the root
     * @param limits what the tree's users may take; see {@link Limits}
     */
    public RegionTree(
            GrantBackend backend,
            InstantSource clock,
            int mountDomid,
            int rootUid,
            int rootGid,
            ImmutableMap<String, String> mountProperties,
            Limits limits) {
        this.limits = new TreeLimits(limits);
        this.backend = backend;
        this.clock = clock;
        this.mountDomid = mountDomid;
        this.mountProperties = mountProperties;
        this.root = new Directory(inodes.getAndIncrement(), "", 0755, rootUid, rootGid, clock.instant());
        root.link(GrantsFile.NAME, new VirtualFile(newInode(), GrantsFile.NAME, rootUid, rootGid, clock.instant(),
                reader -> GrantsReport.take(reader, root, live, lock)));
    }

    public Directory root() {
        return root;
    }

    public GrantBackend backend() {
        return backend;
    }

    public Instant now() {
        return clock.instant();
    }

    /** The domid new regions take where no directory sets one. */
    public int mountDomid() {
        return mountDomid;
    }

    ImmutableMap<String, String> mountProperties() {
        return mountProperties;
    }

    public PoolUsage usage() {
        return backend.usage();
    }

    /** The inodes the tree may hold, as {@code df -i} shows them. */
    public long inodeLimit() {
        return limits.inodeLimit();
    }

    /** The inodes held now: the root, {@code .grants}, each directory and each region not yet released. */
    public long inodesInUse() {
        return limits.inodesInUse();
    }

    UidUsage attributeUsage() {
        return limits.attributes();
    }

    private void released(Region region) {
        live.remove(region);
        limits.forget(region);
    }

    /** The next inode number. */
    public long newInode() {
        return inodes.getAndIncrement();
    }

    public Node lookup(String path) {
        return lock.shared(() -> resolve(path));
    }

    public Region region(String path) {
        return asRegion(lookup(path), path);
    }

    /** The node as a region to read, write or truncate; a virtual file refuses, a directory is EISDIR, the rest EINVAL. */
    public static Region asRegion(Node node, String path) {
        if (node instanceof Region region) {
            return region;
        }
        node.checkChangeable("write, truncate or map");
        if (node instanceof Directory) {
            throw GntfsException.of(Fault.IS_A_DIRECTORY, "%s is a directory", path);
        }
        throw GntfsException.of(Fault.INVALID_ARGUMENT, "%s is not a regular file", path);
    }

    /** The entries of the directory at {@code path}, in name order. */
    public ImmutableList<Directory.Entry> list(String path) {
        return lock.shared(() -> TreePaths.asDirectory(resolve(path), path).entries());
    }

    /** Creates an empty region owned by the caller; it takes its directory's grant defaults. */
    public Region create(String path, int permissions, int uid, int gid) {
        return add(path, (parent, name) -> {
            Region region = new Region(newInode(), name, permissions, uid, groupFor(parent, gid), now(), backend,
                    parent.defaultDomid() != null ? parent.defaultDomid() : mountDomid,
                    parent.defaultWritable() == null || parent.defaultWritable(), reaper, limits.grants(), this::released);
            live.add(region);
            return region;
        });
    }

    /** Creates a directory; it inherits its parent's explicit grant defaults. */
    public Directory mkdir(String path, int permissions, int uid, int gid) {
        return add(path, (parent, name) -> {
            int inherited = parent.permissions() & SET_GROUP_ID;
            Directory directory = new Directory(
                    newInode(), name, permissions | inherited, uid, groupFor(parent, gid), now());
            directory.setDefaultDomid(parent.defaultDomid());
            directory.setDefaultWritable(parent.defaultWritable());
            return directory;
        });
    }

    /** Creates a symbolic link to {@code target}, which is kept byte for byte and never resolved here. */
    public Symlink symlink(String path, byte[] target, int uid, int gid) {
        if (target.length == 0) {
            throw GntfsException.of(Fault.NOT_FOUND, "a symbolic link needs a target");
        }
        if (target.length >= PATH_MAX) {
            throw GntfsException.of(Fault.NAME_TOO_LONG, "a target of %d bytes is too long", target.length);
        }
        return add(path, (parent, name) -> new Symlink(newInode(), name, target, uid, groupFor(parent, gid), now()));
    }

    /** Creates a fifo, socket or device node; only a device keeps {@code device}, as on tmpfs. */
    public SpecialFile mknod(String path, SpecialFile.Kind kind, int permissions, int device, int uid, int gid) {
        boolean isDevice = kind == SpecialFile.Kind.CHARACTER_DEVICE || kind == SpecialFile.Kind.BLOCK_DEVICE;
        return add(path, (parent, name) -> new SpecialFile(newInode(), name, kind, isDevice ? device : 0, permissions,
                uid, groupFor(parent, gid), now()));
    }

    /** Makes a node under a new name, for one more inode: ENOSPC once they are all in use. */
    private <T extends Node> T add(String path, BiFunction<Directory, String, T> make) {
        return lock.exclusive(() -> {
            Directory parent = parentOf(path);
            String name = TreePaths.newName(parent, path);
            limits.takeInode(path);
            T node;
            try {
                node = make.apply(parent, name);
            } catch (RuntimeException e) {
                limits.giveBackInode();
                throw e;
            }
            parent.link(name, node);
            parent.touchModified(now());
            return node;
        });
    }

    /**
     * Gives {@code node} one more name, as link(2): no new inode, no grant, no charge. A directory
     * cannot be linked (EPERM), nor a node whose last name is gone (ENOENT, as the kernel says of
     * an unlinked file).
     */
    public void link(Node node, String newPath) {
        lock.runExclusive(() -> {
            node.checkChangeable("link");
            if (node instanceof Directory) {
                throw GntfsException.of(Fault.NOT_PERMITTED, "a directory cannot be linked: %s", newPath);
            }
            if (node.links().isEmpty()) {
                throw GntfsException.of(Fault.NOT_FOUND, "%s has no name left to link", node.path());
            }
            Directory parent = parentOf(newPath);
            parent.link(TreePaths.newName(parent, newPath), node);
            parent.touchModified(now());
            node.touchChanged(now());
        });
    }

    /** Removes one name of a node that is not a directory. A region's grants go once no name and no holder is left. */
    public void unlink(String path) {
        Region unnamed = lock.exclusive(() -> {
            Node node = resolve(path);
            node.checkChangeable("unlink");
            if (node instanceof Directory) {
                throw GntfsException.of(Fault.IS_A_DIRECTORY, "%s is a directory", path);
            }
            return dropName(parentOf(path), TreePaths.lastName(path));
        });
        if (unnamed != null) {
            unnamed.markUnlinked();
        }
    }

    public void rmdir(String path) {
        lock.runExclusive(() -> {
            Directory directory = TreePaths.asDirectory(resolve(path), path);
            if (directory == root) {
                throw GntfsException.of(Fault.BUSY, "the mount root cannot be removed");
            }
            if (!directory.isEmpty()) {
                throw GntfsException.of(Fault.DIRECTORY_NOT_EMPTY, "%s is not empty", path);
            }
            dropName(parentOf(path), TreePaths.lastName(path));
        });
    }

    /**
     * Moves one name, replacing what the target names (a node that is not a directory, or an empty
     * directory), as rename(2) does. Two names of one node: nothing happens, as POSIX says.
     */
    public void rename(String from, String to) {
        Region replaced = lock.exclusive(() -> {
            Node source = resolve(from);
            Directory targetParent = parentOf(to);
            String targetName = TreePaths.lastName(to);
            TreePaths.checkName(targetName);
            if (source == root) {
                throw GntfsException.of(Fault.BUSY, "the mount root cannot be moved");
            }
            Node target = targetParent.child(targetName);
            source.checkChangeable("rename");
            if (target != null) {
                target.checkChangeable("replace");
            }
            if (target == source) {
                return null;
            }
            if (source instanceof Directory directory && TreePaths.isWithin(targetParent, directory)) {
                throw GntfsException.of(Fault.INVALID_ARGUMENT, "cannot move %s into itself", from);
            }
            if (target instanceof Directory targetDirectory) {
                if (!(source instanceof Directory)) {
                    throw GntfsException.of(Fault.IS_A_DIRECTORY, "%s is a directory", to);
                }
                if (!targetDirectory.isEmpty()) {
                    throw GntfsException.of(Fault.DIRECTORY_NOT_EMPTY, "%s is not empty", to);
                }
            } else if (target != null && source instanceof Directory) {
                throw GntfsException.of(Fault.NOT_A_DIRECTORY, "%s is not a directory", to);
            }
            Region unnamed = target != null ? dropName(targetParent, targetName) : null;
            Directory sourceParent = parentOf(from);
            sourceParent.move(TreePaths.lastName(from), targetParent, targetName);
            sourceParent.touchModified(now());
            source.touchChanged(now());
            targetParent.touchModified(now());
            return unnamed;
        });
        if (replaced != null) {
            replaced.markUnlinked();
        }
    }

    /**
     * Removes the entry {@code name} of {@code parent}. A node left without a name is gone, its
     * inode free again, but for a region: that one is returned, to be marked unlinked once the
     * lock is dropped, and lives on while held. Under the exclusive lock.
     */
    private @Nullable Region dropName(Directory parent, String name) {
        Node node = parent.unlink(name);
        parent.touchModified(now());
        node.touchChanged(now());
        if (!node.links().isEmpty()) {
            return null;
        }
        if (node instanceof Region region) {
            return region;
        }
        limits.forget(node);
        return null;
    }

    public void chmod(Node node, int permissions) {
        node.setPermissions(permissions, now());
    }

    /** Changes the owner; -1 keeps the current uid or gid, as chown(2) does. */
    public void chown(Node node, long uid, long gid) {
        limits.chown(node, isUnchanged(uid) ? node.uid() : (int) uid, isUnchanged(gid) ? node.gid() : (int) gid, now());
    }

    private static boolean isUnchanged(long id) {
        return id == -1 || id == 0xFFFF_FFFFL;
    }

    public void setTimes(Node node, Instant accessed, Instant modified) {
        node.setTimes(accessed, modified, now());
    }

    /**
     * The region whose inode number is {@code inode} (the mount's {@code st_ino}, with
     * {@code use_ino}) while its grants are alive, linked or not: a descriptor opened before an
     * unlink still names it. One pass over the live regions.
     */
    public Optional<Region> liveRegion(long inode) {
        return live.stream().filter(region -> region.inode() == inode).findFirst();
    }

    /** Every region whose grants are alive, linked or not, in path order. */
    public List<Region> liveRegions() {
        return lock.shared(() -> live.stream()
                .sorted(Comparator.comparing(Region::path).thenComparing(Region::inode))
                .toList());
    }

    /**
     * Releases every region's grants, for unmount: stops the reaper's retries, then releases what
     * is live, each region the backend fails to release logged and left live.
     */
    public void releaseAll() {
        reaper.close();
        for (Region region : List.copyOf(live)) {
            // One region the backend fails to release must not keep the others' grants.
            try {
                region.release();
            } catch (RuntimeException e) {
                log.error("cannot release the grants of {}", region.path(), e);
            }
        }
    }

    private Node resolve(String path) {
        return TreePaths.resolve(root, path);
    }

    private Directory parentOf(String path) {
        return TreePaths.parentOf(root, path);
    }

    /** As the kernel's inode_init_owner: a set-group-ID directory gives new nodes its group. */
    private static int groupFor(Directory parent, int callerGid) {
        return (parent.permissions() & SET_GROUP_ID) != 0 ? parent.gid() : callerGid;
    }

    /** The last component of a path. */
    public static String lastName(String path) {
        return TreePaths.lastName(path);
    }
}
