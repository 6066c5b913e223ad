package org.gntfs.engine.mount;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.gntfs.nativeio.FuseDevice;
import org.gntfs.nativeio.Posix;
import org.gntfs.nativeio.SpawnedHelper;

/**
 * Mounts and unmounts FUSE without libfuse. As root: open {@code /dev/fuse} and mount(2) it with
 * {@code fd=N}. As any other user: fusermount3 (setuid root) mounts, and hands the descriptor back
 * over a socket with SCM_RIGHTS ({@code _FUSE_COMMFD}). Either way the caller serves the returned
 * descriptor; the kernel sends INIT on it as soon as the mount is made.
 */
public final class FuseMounter {
    private static final String HELPER = "fusermount3";

    private FuseMounter() {}

    /** Mounts and returns the connection's descriptor. */
    public static int mount(MountSpec spec) throws IOException {
        if (isRoot()) {
            return mountDirectly(spec);
        }
        return SpawnedHelper.receiveDescriptor(
                List.of(HELPER, "-o", spec.helperOptions(), "--", spec.mountPoint().toString()));
    }

    private static int mountDirectly(MountSpec spec) throws IOException {
        int fd = FuseDevice.open();
        try {
            Path self = Path.of("/proc/self");
            int uid = (Integer) Files.getAttribute(self, "unix:uid");
            int gid = (Integer) Files.getAttribute(self, "unix:gid");
            FuseDevice.mount(spec.source(), spec.mountPoint(), "fuse." + spec.subtype(),
                    FuseDevice.MS_NOSUID | FuseDevice.MS_NODEV, spec.options(fd, uid, gid));
            return fd;
        } catch (IOException | RuntimeException e) {
            Posix.closeQuietly(fd);
            throw e;
        }
    }

    /**
     * Unmounts {@code mountPoint}: umount2 as root (lazily with {@code lazy}), else
     * {@code fusermount3 -u [-z]}. A busy mount fails unless lazy.
     */
    public static void unmount(Path mountPoint, boolean lazy) throws IOException {
        if (isRoot()) {
            FuseDevice.unmount(mountPoint, lazy ? FuseDevice.MNT_DETACH : 0);
            return;
        }
        List<String> command = lazy ? List.of(HELPER, "-u", "-z", "--", mountPoint.toString())
                : List.of(HELPER, "-u", "--", mountPoint.toString());
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            int status = process.waitFor();
            if (status != 0) {
                throw new IOException(String.join(" ", command) + " failed: "
                        + new String(process.getInputStream().readAllBytes()).trim());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while unmounting " + mountPoint, e);
        }
    }

    /** The largest request in pages this kernel allows ({@code fs.fuse.max_pages_limit}; 256 before 6.13). */
    public static int maxPagesLimit() {
        try {
            // Not Files.readString: it trusts the size procfs reports (0) and stops after one byte.
            return Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/fs/fuse/max_pages_limit")).get(0).trim());
        } catch (IOException | RuntimeException e) {
            return 256;
        }
    }

    private static boolean isRoot() throws IOException {
        return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0;
    }
}
