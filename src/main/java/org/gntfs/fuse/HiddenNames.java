package org.gntfs.fuse;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.gntfs.Fault;
import org.gntfs.GntfsException;
import org.gntfs.region.Node;
import org.gntfs.region.Region;
import org.gntfs.region.RegionTree;
import org.jspecify.annotations.Nullable;

/**
 * The {@code .fuse_hidden*} names libfuse 2 gives an open file that is unlinked or renamed over:
 * it renames the file to such a name, and unlinks that name after the last release. The region
 * is unlinked from the tree at the rename, so the name is never listed; it is kept here, keyed by
 * the name alone (libfuse makes each one unique in the mount), until libfuse lets go.
 *
 * <p>An unlinked open file must be reachable by nobody by name. The kernel makes a dentry only
 * from a lookup, and libfuse answers a lookup with {@code getattr} of the path. So a getattr of a
 * hidden name finds nothing, with one exception: libfuse 2 also answers {@code fstat} (and the
 * reply to {@code fchmod} or {@code futimens}) by path, the file's true one, and the kernel does
 * not say which of the two it asks. A getattr of the very path the file was hidden under, by root,
 * the file's owner or a process that holds it open ({@link InodeHolders}), is answered; every
 * other one, from any other directory or by anyone else, finds nothing. Every other path-based call the kernel sends for the file (chmod, utimens,
 * xattrs, an open of {@code /proc/self/fd/N}) names an inode its caller already holds, which no
 * lookup could have given anyone else: those reach the region, as they would on tmpfs.
 *
 * <p>libfuse's own steps are followed exactly: it picks a hidden name by probing candidates with
 * getattr until one is absent, which the rule above answers; and only the unlink that follows the
 * release of the file's last open handle is taken as its final one, any other finds nothing. A
 * hidden name cannot be created anew: libfuse would give the new file the hidden file's node, and
 * the kernel the hidden file's inode, cached pages included.
 */
final class HiddenNames {
    private static final String PREFIX = ".fuse_hidden";

    private final RegionTree tree;
    private final InodeHolders holders;
    private final Map<String, Hidden> byName = new ConcurrentHashMap<>();
    /** Hidden names whose last open handle libfuse has released: it unlinks each one next. */
    private final Set<String> awaitingUnlink = ConcurrentHashMap.newKeySet();

    /** A hidden region, and the path it was hidden under: libfuse's path for it while it stays there. */
    private record Hidden(Region region, String path) {}

    HiddenNames(RegionTree tree, InodeHolders holders) {
        this.tree = tree;
        this.holders = holders;
    }

    /** Whether a rename of an open file to {@code name} is libfuse hiding it, not a user's rename. */
    static boolean isHidingName(String name) {
        return name.startsWith(PREFIX);
    }

    void hide(String path, Region region) {
        byName.put(RegionTree.lastName(path), new Hidden(region, path));
    }

    /** The node a getattr of {@code path} by {@code caller} shows; see the class comment. */
    Node lookedUp(String path, Caller caller) {
        Hidden hidden = byName.get(RegionTree.lastName(path));
        boolean isHoldersStat = hidden != null
                && hidden.path().equals(path)
                && (caller.uid() == 0
                        || caller.uid() == hidden.region().uid()
                        || holders.holds(caller.pid(), hidden.region().inode()));
        return inTreeElse(path, isHoldersStat ? hidden.region() : null);
    }

    /** The node of a path-based call on an inode its caller holds: hidden ones included. */
    Node held(String path) {
        String name = RegionTree.lastName(path);
        Hidden hidden = isHidingName(name) ? byName.get(name) : null;
        return inTreeElse(path, hidden != null ? hidden.region() : null);
    }

    /**
     * The node at {@code path} in the tree, else {@code hiddenRegion} if there is one: a file of the
     * tree that a user named like a hidden one, in another directory, stays that file.
     */
    private Node inTreeElse(String path, @Nullable Region hiddenRegion) {
        try {
            return tree.lookup(path);
        } catch (GntfsException e) {
            if (hiddenRegion == null || e.fault() != Fault.NOT_FOUND) {
                throw e;
            }
            return hiddenRegion;
        }
    }

    /** A hidden file's name is not free: libfuse would give a new file the hidden one's node. */
    void checkFree(String path) {
        if (byName.containsKey(RegionTree.lastName(path))) {
            throw GntfsException.of(Fault.ALREADY_EXISTS, "%s is an unlinked open file's", path);
        }
    }

    boolean isHidden(Region region) {
        return byName.values().stream().anyMatch(hidden -> hidden.region() == region);
    }

    /**
     * The last open handle of {@code region} is released. libfuse unlinks the hidden name next if it
     * can still name the file ({@code path} is not null); either way the name is no longer hidden.
     */
    void lastClosed(Region region, @Nullable String path) {
        byName.entrySet().removeIf(entry -> {
            if (entry.getValue().region() != region) {
                return false;
            }
            if (path != null) {
                awaitingUnlink.add(entry.getKey());
            }
            return true;
        });
    }

    /** Whether an unlink of {@code path} is libfuse's final one, which is then taken. */
    boolean takeFinalUnlink(String path) {
        return awaitingUnlink.remove(RegionTree.lastName(path));
    }
}
