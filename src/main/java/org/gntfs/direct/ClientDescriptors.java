package org.gntfs.direct;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.gntfs.Fault;
import org.gntfs.GntfsException;
import org.gntfs.nativeio.OpenFileInfo;
import org.gntfs.nativeio.Posix;
import org.gntfs.region.Region;
import org.gntfs.region.RegionTree;

/**
 * What the descriptors a client sent with its request stand for. The client opened the region
 * through the mount itself, so the kernel has already decided, as for any open, whether it may
 * read it and write it (default_permissions, capabilities, symlinks, {@code ..}, LSMs); this
 * class only reads the answer off the descriptor: which region (it must be open on this mount,
 * its inode names the region) and which access mode. Nothing here checks a permission bit.
 *
 * <p>On a backend whose descriptors carry more than the region's pages (gntalloc's carry its
 * ioctls), the request must also carry the client's own read-write open of that device: the
 * kernel's proof that the client has those powers already.
 */
final class ClientDescriptors {
    private static final int S_IFMT = 0170000;
    private static final int S_IFCHR = 0020000;

    private final RegionTree tree;
    private final int mountId;
    private final Optional<Path> lendingDevice;

    /** The region a request is for, and whether the client's open of it may write. */
    record Opened(Region region, boolean write) {}

    /** For the mount with id {@code mountId} (as {@code /proc/self/fdinfo} shows it) of {@code tree}. */
    ClientDescriptors(RegionTree tree, int mountId) {
        this.tree = tree;
        this.mountId = mountId;
        this.lendingDevice = tree.backend().deviceLentOnlyToItsOpeners();
    }

    /**
     * The region {@code descriptors} name, and the access its open was granted. The caller still
     * owns and closes the descriptors. Only a descriptor already known to be of this mount is
     * ever stat'ed, so one of a hung filesystem cannot hang the daemon.
     *
     * @throws GntfsException {@link Fault#BAD_HANDLE} (EBADF) for a descriptor that is not an open
     *     of this mount, an O_PATH one, none or too many; {@link Fault#ACCESS_DENIED} (EACCES) for
     *     an open that allows no mapping, or on Xen without the client's own open of the device;
     *     {@link Fault#INVALID_ARGUMENT} for a file of the mount that is no region with pages
     */
    Opened identify(int[] descriptors) {
        int expected = lendingDevice.isPresent() ? 2 : 1;
        if (descriptors.length == 0 || descriptors.length > expected) {
            throw GntfsException.of(Fault.BAD_HANDLE, "the request carried %d descriptors, not %s", descriptors.length,
                    lendingDevice.map(device -> "2: the region's and the client's own " + device).orElse("1: the region's"));
        }
        if (descriptors.length < expected) {
            throw GntfsException.of(Fault.ACCESS_DENIED,
                    "the direct path lends %s's own descriptor: send the client's own O_RDWR open of it with the region's",
                    lendingDevice.get());
        }
        OpenFileInfo sent = info(descriptors[0], "the region's");
        if (sent.mountId() != mountId) {
            throw GntfsException.of(Fault.BAD_HANDLE, "the descriptor sent is not of a file on this mount");
        }
        long inode = sent.inode().orElseGet(() -> (long) attributes(descriptors[0], "the region's").get("ino"));
        Region found = tree.liveRegion(inode).orElseThrow(() -> GntfsException.of(Fault.INVALID_ARGUMENT,
                "the descriptor sent is of inode %d of this mount, which is no region with pages to map", inode));
        int access = sent.flags() & Posix.O_ACCMODE;
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

    /** The second descriptor must be a read-write open of the device node itself (same mount, same st_rdev). */
    private static void checkOwnOpenOfLendingDevice(int descriptor, Path device) {
        OpenFileInfo sent = info(descriptor, "the second");
        boolean same;
        try {
            same = sent.mountId() == OpenFileInfo.mountIdOf(device)
                    && (sent.flags() & Posix.O_ACCMODE) == Posix.O_RDWR
                    && ((int) attributes(descriptor, "the second").get("mode") & S_IFMT) == S_IFCHR
                    && attributes(descriptor, "the second").get("rdev").equals(Files.getAttribute(device, "unix:rdev"));
        } catch (IOException e) {
            throw GntfsException.of(Fault.IO_ERROR, "cannot stat %s: %s", device, e.getMessage());
        }
        if (!same) {
            throw GntfsException.of(Fault.ACCESS_DENIED, "the second descriptor is no O_RDWR open of %s", device);
        }
    }

    /**
     * What {@code /proc/self/fdinfo} says of the descriptor. An O_PATH descriptor is refused: it
     * is opened without any permission check, so it proves nothing.
     */
    private static OpenFileInfo info(int descriptor, String which) {
        OpenFileInfo info;
        try {
            info = OpenFileInfo.of(descriptor);
        } catch (IOException | RuntimeException e) {
            throw GntfsException.of(Fault.BAD_HANDLE, "%s descriptor: %s", which, e.getMessage());
        }
        if ((info.flags() & Posix.O_PATH) != 0) {
            throw GntfsException.of(Fault.BAD_HANDLE, "%s descriptor is O_PATH, opened without a permission check", which);
        }
        return info;
    }

    /** stat of what the descriptor is open on (through {@code /proc/self/fd}, as fstat would). */
    private static Map<String, Object> attributes(int descriptor, String which) {
        try {
            return Files.readAttributes(Path.of("/proc/self/fd", Integer.toString(descriptor)), "unix:ino,mode,rdev");
        } catch (IOException e) {
            throw GntfsException.of(Fault.BAD_HANDLE, "cannot stat %s descriptor: %s", which, e.getMessage());
        }
    }
}
