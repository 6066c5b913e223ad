package org.gntfs.direct;

import com.google.common.base.Splitter;
import org.gntfs.Fault;
import org.gntfs.GntfsException;
import org.gntfs.nativeio.UnixSocket.Credentials;
import org.gntfs.region.Directory;
import org.gntfs.region.Node;
import org.gntfs.region.Region;
import org.gntfs.region.RegionTree;

/**
 * Decides a direct-mapping request as the kernel's {@code default_permissions} decides an open of
 * the same path: search permission on every directory from the root down, then read, and write if
 * asked, on the region; the owner's, the group's (primary or supplementary) or the others' bits,
 * the first class that matches; root passes.
 */
final class AccessCheck {
    private static final int READ = 4;
    private static final int WRITE = 2;
    private static final int SEARCH = 1;
    private static final Splitter COMPONENTS = Splitter.on('/').omitEmptyStrings();

    private AccessCheck() {}

    /**
     * Finds the region at {@code path} (from the mount root) as {@code who} would open it: each
     * directory is searched only once the search permission is known, so that a name in a
     * directory the client cannot search stays unknown (EACCES, never ENOENT).
     *
     * @throws GntfsException {@link Fault#ACCESS_DENIED} naming what is missing, or the lookup's
     *     own fault (ENOENT, ENOTDIR, EISDIR)
     */
    static Region resolve(Credentials who, RegionTree tree, String path, boolean write) {
        Node node = tree.root();
        StringBuilder walked = new StringBuilder();
        for (String name : COMPONENTS.split(path)) {
            if (!(node instanceof Directory directory)) {
                throw GntfsException.of(Fault.NOT_A_DIRECTORY, "%s is not a directory", node.path());
            }
            require(who, directory, SEARCH, "search");
            node = tree.lookup(walked.append('/').append(name).toString());
        }
        Region region = RegionTree.asRegion(node, walked.length() == 0 ? "/" : walked.toString());
        require(who, region, READ, "read");
        if (write) {
            require(who, region, WRITE, "write");
        }
        return region;
    }

    private static void require(Credentials who, Node node, int bit, String what) {
        if (who.uid() == 0) {
            return;
        }
        int mode = node.permissions();
        int granted;
        if (who.uid() == node.uid()) {
            granted = mode >> 6;
        } else if (who.gid() == node.gid() || who.groups().contains(node.gid())) {
            granted = mode >> 3;
        } else {
            granted = mode;
        }
        if ((granted & bit) == 0) {
            throw GntfsException.of(Fault.ACCESS_DENIED, "uid %d may not %s %s", who.uid(), what, node.path());
        }
    }
}
