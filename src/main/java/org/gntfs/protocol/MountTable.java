package org.gntfs.protocol;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** What this process's mount namespace says about a mount point ({@code /proc/self/mountinfo}). */
public final class MountTable {
    /** The type /proc/self/mountinfo gives gntfs mounts. */
    public static final String GNTFS_TYPE = "fuse.gntfs";

    private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

    private MountTable() {}

    /** The filesystem type mounted on exactly {@code mountPoint}, the topmost if several are stacked. */
    public static Optional<String> typeAt(Path mountPoint) throws IOException {
        return typeAt(mountPoint, Files.readAllLines(MOUNTINFO, UTF_8));
    }

    /**
     * The type that the lines of a mountinfo file give the mount on exactly {@code mountPoint}.
     * A line is {@code ID PARENT MAJOR:MINOR ROOT MOUNT-POINT OPTIONS [OPTIONAL...] - TYPE SOURCE
     * SUPER-OPTIONS}, the kernel escaping space, tab, newline and backslash in paths; a line not
     * of that shape is skipped.
     */
    static Optional<String> typeAt(Path mountPoint, List<String> mountinfo) {
        String target = mountPoint.toAbsolutePath().normalize().toString();
        String type = null;
        for (String line : mountinfo) {
            List<String> fields = List.of(line.split(" ", -1));
            int separator = fields.indexOf("-");
            if (separator > 4 && separator + 1 < fields.size() && OctalEscape.unescape(fields.get(4)).equals(target)) {
                type = fields.get(separator + 1);
            }
        }
        return Optional.ofNullable(type);
    }
}
