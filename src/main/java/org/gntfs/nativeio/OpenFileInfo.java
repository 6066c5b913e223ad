package org.gntfs.nativeio;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * What the kernel says of one of this process's descriptors in {@code /proc/self/fdinfo}: its
 * status flags (access mode, O_PATH), the id of the mount it is open on and, on Linux 5.14 and
 * later, its inode number. Reading it never calls into the file's filesystem, so a descriptor of
 * a hung filesystem cannot hang the reader.
 */
public record OpenFileInfo(int flags, int mountId, OptionalLong inode) {
    public static OpenFileInfo of(int descriptor) throws IOException {
        int flags = -1;
        int mountId = -1;
        OptionalLong inode = OptionalLong.empty();
        for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo", Integer.toString(descriptor)))) {
            String[] field = line.split(":\\s*", 2);
            switch (field[0]) {
                case "flags" -> flags = Integer.parseInt(field[1].trim(), 8);
                case "mnt_id" -> mountId = Integer.parseInt(field[1].trim());
                case "ino" -> inode = OptionalLong.of(Long.parseLong(field[1].trim()));
                default -> {
                    // pos, and what other kinds of file add (eventfd counts, locks...): not needed here.
                }
            }
        }
        if (flags < 0 || mountId < 0) {
            throw new IOException("/proc/self/fdinfo/" + descriptor + " shows no flags or mnt_id");
        }
        return new OpenFileInfo(flags, mountId, inode);
    }

    /** The mount id of the filesystem at {@code path}, from an O_PATH open of it (which opens nothing). */
    public static int mountIdOf(Path path) throws IOException {
        int descriptor = Posix.open(path, Posix.O_PATH, 0);
        try {
            return of(descriptor).mountId();
        } finally {
            Posix.closeQuietly(descriptor);
        }
    }
}
