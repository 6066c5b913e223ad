package org.gntfs.direct;

import org.gntfs.Fault;
import org.gntfs.GntfsException;
import org.gntfs.nativeio.UnixSocket.Credentials;
import org.gntfs.region.Directory;
import org.gntfs.region.Node;
import org.gntfs.region.Region;

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

    private AccessCheck() {}

    /**
     * @throws GntfsException {@link Fault#ACCESS_DENIED} naming what is missing
     */
    static void check(Credentials who, Region region, boolean write) {
        if (who.uid() == 0) {
            return;
        }
        for (Directory directory = region.parent(); directory != null; directory = directory.parent()) {
            require(who, directory, SEARCH, "search");
        }
        require(who, region, READ, "read");
        if (write) {
            require(who, region, WRITE, "write");
        }
    }

    private static void require(Credentials who, Node node, int bit, String what) {
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
