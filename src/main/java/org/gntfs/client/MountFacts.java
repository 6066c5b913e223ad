package org.gntfs.client;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import org.gntfs.protocol.MountTable;

/** Reads what a running mount publishes about itself as {@code user.gnt.*} on its root. */
public final class MountFacts {
    private MountFacts() {}

    /**
     * The root of the gntfs mount that holds {@code path}.
     *
     * @throws IOException when no directory above {@code path} is a gntfs mount
     */
    public static Path mountRootOf(Path path) throws IOException {
        Path absolute = path.toAbsolutePath().normalize();
        for (Path candidate = absolute; candidate != null; candidate = candidate.getParent()) {
            if (isGntfsMountRoot(candidate)) {
                return candidate;
            }
        }
        throw new IOException(path + " is not on a gntfs mount");
    }

    private static boolean isGntfsMountRoot(Path mountPoint) {
        try {
            return MountTable.typeAt(mountPoint.toRealPath()).filter(MountTable.GNTFS_TYPE::equals).isPresent();
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The value of {@code user.gnt.KEY} on the root of a gntfs mount.
     *
     * @throws IOException when {@code mountPoint} is not the root of a gntfs mount, or the mount
     *     publishes no such fact
     */
    public static String read(Path mountPoint, String key) throws IOException {
        // Only the mount root's facts are the daemon's: below it, a user could have set any user.* name.
        if (!isGntfsMountRoot(mountPoint)) {
            throw new IOException(mountPoint + " is not a gntfs mount");
        }
        UserDefinedFileAttributeView view = Files.getFileAttributeView(mountPoint, UserDefinedFileAttributeView.class);
        String name = "gnt." + key;
        try {
            ByteBuffer value = ByteBuffer.allocate(view.size(name));
            view.read(name, value);
            return new String(value.array(), 0, value.position(), UTF_8);
        } catch (IOException e) {
            throw new IOException(
                    String.format("%s is not a gntfs mount (no user.%s: %s)", mountPoint, name, e.getMessage()), e);
        }
    }
}
