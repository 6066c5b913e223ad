package org.gntfs.fuse;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.google.common.base.Splitter;
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
    private static final Splitter FIELDS = Splitter.on(' ');

    private MountTable() {}

    /** The filesystem type mounted on exactly {@code mountPoint}, the topmost if several are stacked. */
    public static Optional<String> typeAt(Path mountPoint) throws IOException {
        String target = mountPoint.toAbsolutePath().normalize().toString();
        String type = null;
        for (String line : Files.readAllLines(MOUNTINFO, UTF_8)) {
            List<String> fields = FIELDS.splitToList(line);
            int separator = fields.indexOf("-");
            if (separator > 4 && separator + 1 < fields.size() && unescape(fields.get(4)).equals(target)) {
                type = fields.get(separator + 1);
            }
        }
        return Optional.ofNullable(type);
    }

    private static String unescape(String field) {
        return field.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\");
    }
}
