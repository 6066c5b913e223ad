package org.gntfs.region;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.google.common.base.Splitter;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
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
 * The namespace of a mount: directories and regions by path, with POSIX rules for create, unlink,
 * rmdir and rename. Paths are absolute and '/'-separated, as FUSE gives them.
 *
 * <p>The root holds the {@code .grants} report as a {@link VirtualFile}, which refuses changes itself;
 * it holds the lock only to copy the tree's shape (see {@link GrantsReport}), never to render.
 *
 * <p>Locking: one read-write lock orders every change of the namespace; lookups share it. Region
 * contents have their own locks and are never touched while this one is held: a region that an
 * unlink removed or a rename replaced is released after the namespace lock is dropped. A release
 * the backend fails goes on in the tree's {@link Reaper}, stopped by {@link #releaseAll}.
 */
public final class RegionTree {
    private static final Logger log = LoggerFactory.getLogger(RegionTree.class);

    /** The longest name, in UTF-8 bytes, as on tmpfs. */
    public static final int NAME_MAX = 255;

    private static final int SET_GROUP_ID = 02000;
    private static final char REPLACEMENT_CHARACTER = '\uFFFD';

    private static final Splitter PATH = Splitter.on('/').omitEmptyStrings();

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
        root.link(new VirtualFile(newInode(), GrantsFile.NAME, rootUid, rootGid, clock.instant(),
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

    /** The node as a region to read, write or truncate; a virtual file refuses, a directory is EISDIR. */
    public static Region asRegion(Node node, String path) {
        if (node instanceof Region region) {
            return region;
        }
        node.checkChangeable("write, truncate or map");
        throw GntfsException.of(Fault.IS_A_DIRECTORY, "%s is a directory", path);
    }

    public ImmutableList<Node> list(String path) {
        return lock.shared(() -> asDirectory(resolve(path), path).children());
    }

    /** Creates an empty region owned by the caller; it takes its directory's grant defaults. */
    public Region create(String path, int permissions, int uid, int gid) {
        return lock.exclusive(() -> {
            Directory parent = parentOf(path);
            String name = newName(parent, path);
            Integer domid = parent.defaultDomid();
            Boolean writable = parent.defaultWritable();
            limits.takeInode(path);
            Region region;
            try {
                region = newRegion(name, permissions, uid, groupFor(parent, gid), domid, writable);
            } catch (RuntimeException e) {
                limits.giveBackInode();
                throw e;
            }
            parent.link(region);
            parent.touchModified(now());
            live.add(region);
            return region;
        });
    }

    private Region newRegion(String name, int permissions, int uid, int gid, @Nullable Integer domid, @Nullable Boolean writable) {
        return new Region(newInode(), name, permissions, uid, gid, now(), backend, domid != null ? domid : mountDomid,
                writable == null || writable, reaper, limits.grants(), this::released);
    }

    /** Creates a directory; it inherits its parent's explicit grant defaults. */
    public Directory mkdir(String path, int permissions, int uid, int gid) {
        return lock.exclusive(() -> {
            Directory parent = parentOf(path);
            int inherited = parent.permissions() & SET_GROUP_ID;
            String name = newName(parent, path);
            limits.takeInode(path);
            Directory directory = new Directory(
                    newInode(), name, permissions | inherited, uid, groupFor(parent, gid), now());
            directory.setDefaultDomid(parent.defaultDomid());
            directory.setDefaultWritable(parent.defaultWritable());
            parent.link(directory);
            parent.touchModified(now());
            return directory;
        });
    }

    /** Removes a region's name. Its grants go once no open file holds it. */
    public void unlink(String path) {
        Region region = lock.exclusive(() -> {
            Node node = resolve(path);
            node.checkChangeable("unlink");
            if (!(node instanceof Region found)) {
                throw GntfsException.of(Fault.IS_A_DIRECTORY, "%s is a directory", path);
            }
            detach(found);
            return found;
        });
        region.markUnlinked();
    }

    public void rmdir(String path) {
        lock.exclusive(() -> {
            Directory directory = asDirectory(resolve(path), path);
            if (directory == root) {
                throw GntfsException.of(Fault.BUSY, "the mount root cannot be removed");
            }
            if (!directory.isEmpty()) {
                throw GntfsException.of(Fault.DIRECTORY_NOT_EMPTY, "%s is not empty", path);
            }
            detach(directory);
            limits.forget(directory);
            return null;
        });
    }

    /** Moves a node, replacing a region or an empty directory at the target, as rename(2) does. */
    public void rename(String from, String to) {
        Region replaced = lock.exclusive(() -> {
            Node source = resolve(from);
            Directory targetParent = parentOf(to);
            String targetName = lastName(to);
            checkName(targetName);
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
            if (source instanceof Directory directory && isWithin(targetParent, directory)) {
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
            if (target != null) {
                detach(target);
            }
            detach(source);
            source.place(null, targetName);
            targetParent.link(source);
            source.touchChanged(now());
            targetParent.touchModified(now());
            return target instanceof Region region ? region : null;
        });
        if (replaced != null) {
            replaced.markUnlinked();
        }
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
        Node node = root;
        for (String name : PATH.split(path)) {
            checkName(name);
            Node child = asDirectory(node, path).child(name);
            if (child == null) {
                throw GntfsException.of(Fault.NOT_FOUND, "%s does not exist", path);
            }
            node = child;
        }
        return node;
    }

    private Directory parentOf(String path) {
        int slash = path.lastIndexOf('/');
        if (slash < 0 || lastName(path).isEmpty()) {
            throw GntfsException.of(Fault.INVALID_ARGUMENT, "%s names no entry", path);
        }
        return asDirectory(resolve(path.substring(0, slash)), path);
    }

    private String newName(Directory parent, String path) {
        String name = lastName(path);
        checkName(name);
        if (parent.child(name) != null) {
            throw GntfsException.of(Fault.ALREADY_EXISTS, "%s exists", path);
        }
        return name;
    }

    /** As the kernel's inode_init_owner: a set-group-ID directory gives new nodes its group. */
    private static int groupFor(Directory parent, int callerGid) {
        return (parent.permissions() & SET_GROUP_ID) != 0 ? parent.gid() : callerGid;
    }

    /** The last component of a path. */
    public static String lastName(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    private static void checkName(String name) {
        if (name.getBytes(UTF_8).length > NAME_MAX) {
            throw GntfsException.of(Fault.NAME_TOO_LONG, "a name is longer than %d bytes", NAME_MAX);
        }
        // Paths reach us decoded as UTF-8, every malformed byte turned into U+FFFD: names that
        // differ only there would be one node. Refusing them keeps names distinct.
        if (name.indexOf(REPLACEMENT_CHARACTER) >= 0) {
            throw GntfsException.of(Fault.NAME_NOT_UTF8, "a name is not valid UTF-8 (or holds U+FFFD)");
        }
    }

    private static Directory asDirectory(Node node, String path) {
        if (node instanceof Directory directory) {
            return directory;
        }
        throw GntfsException.of(Fault.NOT_A_DIRECTORY, "a component of %s is not a directory", path);
    }

    private static boolean isWithin(@Nullable Directory candidate, Directory ancestor) {
        for (Directory up = candidate; up != null; up = up.parent()) {
            if (up == ancestor) {
                return true;
            }
        }
        return false;
    }

    private void detach(Node node) {
        Directory parent = node.parent();
        if (parent != null) {
            parent.unlink(node);
            parent.touchModified(now());
        }
        node.touchChanged(now());
    }
}
