package org.gntfs.fuse;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.gntfs.protocol.MountTable;
import org.gntfs.protocol.OctalEscape;
import org.jspecify.annotations.Nullable;

/**
 * Whether a process holds an inode of this mount open, as the kernel tells it: {@code
 * /proc/PID/fdinfo} gives each descriptor's mount id and inode, {@code /proc/PID/mountinfo} the
 * device of that mount, which is this mount's if it is one of its bind or namespace copies. Read
 * only for the rare getattr of a hidden name; a process the daemon may not inspect holds nothing.
 */
final class InodeHolders {
    private static final String MOUNT_ID = "mnt_id:";
    private static final String INODE = "ino:";

    private final Path mountPoint;
    private volatile @Nullable String device;

    InodeHolders(Path mountPoint) {
        this.mountPoint = mountPoint.toAbsolutePath().normalize();
    }

    boolean holds(int pid, long inode) {
        String ours = device();
        if (ours == null || pid <= 0) {
            return false;
        }
        Path process = Path.of("/proc", Integer.toString(pid));
        try {
            Set<String> mounts = mountsHolding(process.resolve("fdinfo"), inode);
            return !mounts.isEmpty() && Files.readAllLines(process.resolve("mountinfo"), UTF_8).stream()
                    .map(line -> line.split(" ", 4))
                    .anyMatch(fields -> fields.length == 4 && mounts.contains(fields[0]) && fields[2].equals(ours));
        } catch (IOException | RuntimeException e) {
            // The process is gone, or not ours to inspect: it holds nothing we can see.
            return false;
        }
    }

    /** The mount ids of the descriptors open on {@code inode}. */
    private static Set<String> mountsHolding(Path fdinfo, long inode) throws IOException {
        Set<String> mounts = new HashSet<>();
        try (DirectoryStream<Path> descriptors = Files.newDirectoryStream(fdinfo)) {
            for (Path descriptor : descriptors) {
                List<String> lines;
                try {
                    lines = Files.readAllLines(descriptor, UTF_8);
                } catch (IOException closedMeanwhile) {
                    continue;
                }
                String mount = field(lines, MOUNT_ID);
                if (mount != null && Long.toString(inode).equals(field(lines, INODE))) {
                    mounts.add(mount);
                }
            }
        }
        return mounts;
    }

    private static @Nullable String field(List<String> lines, String key) {
        return lines.stream().filter(line -> line.startsWith(key)).map(line -> line.substring(key.length()).trim())
                .findFirst().orElse(null);
    }

    /** This mount's device, {@code MAJOR:MINOR}, from the daemon's own mountinfo once it is mounted. */
    private @Nullable String device() {
        if (device == null) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"), UTF_8)) {
                    List<String> fields = List.of(line.split(" ", -1));
                    int separator = fields.indexOf("-");
                    if (separator > 4 && separator + 1 < fields.size()
                            && fields.get(separator + 1).equals(MountTable.GNTFS_TYPE)
                            && OctalEscape.unescape(fields.get(4)).equals(mountPoint.toString())) {
                        device = fields.get(2);
                    }
                }
            } catch (IOException e) {
                return null;
            }
        }
        return device;
    }
}
