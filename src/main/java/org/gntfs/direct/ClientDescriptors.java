package org.gntfs.direct;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.gntfs.Fault;
import org.gntfs.GntfsException;
import org.gntfs.nativeio.NativeError;
import org.gntfs.nativeio.Posix;
import org.gntfs.region.Region;
import org.gntfs.region.RegionTree;

/**
 * What the descriptors a client sent with its request stand for. The client opened the region
 * through the mount itself, so the kernel has already decided, as for any open, whether it may
 * read it and write it (default_permissions, capabilities, symlinks, {@code ..}, LSMs); this
 * class only reads the answer off the descriptor: which region (its device must be the mount's,
 * its inode names the region) and which access mode. Nothing here checks a permission bit.
 *
 * <p>On a backend whose descriptors carry more than the region's pages (gntalloc's carry its
 * ioctls), the request must also carry the client's own read-write open of that device: the
 * kernel's proof that the client has those powers already.
 */
final class ClientDescriptors {
    private static final int S_IFMT = 0170000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFCHR = 0020000;

    private final RegionTree tree;
    private final long mountDevice;
    private final Optional<Path> lendingDevice;

    /** The region a request is for, and whether the client's open of it may write. */
    record Opened(Region region, boolean write) {}

    ClientDescriptors(RegionTree tree, long mountDevice) {
        this.tree = tree;
        this.mountDevice = mountDevice;
        this.lendingDevice = tree.backend().deviceLentOnlyToItsOpeners();
    }

    /**
     * The region {@code descriptors} name, and the access its open was granted. The caller still
     * owns and closes the descriptors.
     *
     * @throws GntfsException {@link Fault#BAD_HANDLE} (EBADF) for a descriptor that is not an open
     *     of a region of this mount, or the wrong number of them; {@link Fault#ACCESS_DENIED}
     *     (EACCES) for an open that allows no mapping, or on Xen without the device's own open;
     *     {@link Fault#INVALID_ARGUMENT} for a file of the mount that has no pages to map
     */
    Opened identify(int[] descriptors) {
        int expected = lendingDevice.isPresent() ? 2 : 1;
        if (descriptors.length != expected) {
            throw GntfsException.of(Fault.BAD_HANDLE, "the request carried %d descriptors, not %s", descriptors.length,
                    lendingDevice.map(device -> "2: the region's and the client's own " + device).orElse("1: the region's"));
        }
        int access = accessMode(descriptors[0], "the region's");
        Map<String, Object> region = attributes(descriptors[0], "the region's");
        if (((int) region.get("mode") & S_IFMT) != S_IFREG || (long) region.get("dev") != mountDevice) {
            throw GntfsException.of(Fault.BAD_HANDLE, "the descriptor sent is not of a regular file on this mount");
        }
        long inode = (long) region.get("ino");
        Region found = tree.liveRegion(inode).orElseThrow(() -> GntfsException.of(Fault.INVALID_ARGUMENT,
                "the descriptor sent is of inode %d of this mount, which is no region with pages to map", inode));
        if (access == Posix.O_WRONLY) {
            throw GntfsException.of(Fault.ACCESS_DENIED, "a descriptor opened write-only cannot be mapped: open O_RDONLY or O_RDWR");
        }
        if (lendingDevice.isPresent()) {
            checkOwnOpenOfLendingDevice(descriptors[1], lendingDevice.get());
            if (access != Posix.O_RDWR) {
                throw GntfsException.of(Fault.ACCESS_DENIED,
                        "%s's descriptors always map writable: open the region O_RDWR to map it directly", lendingDevice.get());
            }
        }
        return new Opened(found, access == Posix.O_RDWR);
    }

    private static void checkOwnOpenOfLendingDevice(int descriptor, Path device) {
        Map<String, Object> sent = attributes(descriptor, "the second");
        long rdev;
        try {
            rdev = (long) Files.getAttribute(device, "unix:rdev");
        } catch (IOException e) {
            throw GntfsException.of(Fault.IO_ERROR, "cannot stat %s: %s", device, e.getMessage());
        }
        if (((int) sent.get("mode") & S_IFMT) != S_IFCHR || (long) sent.get("rdev") != rdev
                || accessMode(descriptor, "the second") != Posix.O_RDWR) {
            throw GntfsException.of(Fault.ACCESS_DENIED,
                    "the direct path lends %s's own descriptor: send the client's own O_RDWR open of it with the region's",
                    device);
        }
    }

    /** stat of what the descriptor is open on (through {@code /proc/self/fd}, as fstat would). */
    private static Map<String, Object> attributes(int descriptor, String which) {
        try {
            return Files.readAttributes(Path.of("/proc/self/fd", Integer.toString(descriptor)), "unix:dev,ino,mode,rdev");
        } catch (IOException e) {
            throw GntfsException.of(Fault.BAD_HANDLE, "cannot stat %s descriptor: %s", which, e.getMessage());
        }
    }

    /**
     * O_RDONLY, O_WRONLY or O_RDWR, as the open was granted. An O_PATH descriptor is refused: it
     * is opened without any permission check, so it proves nothing.
     */
    private static int accessMode(int descriptor, String which) {
        int flags;
        try {
            flags = Posix.statusFlags(descriptor);
        } catch (NativeError e) {
            throw GntfsException.of(Fault.BAD_HANDLE, "%s descriptor: %s", which, e.getMessage());
        }
        if ((flags & Posix.O_PATH) != 0) {
            throw GntfsException.of(Fault.BAD_HANDLE, "%s descriptor is O_PATH, opened without a permission check", which);
        }
        return flags & Posix.O_ACCMODE;
    }
}
