package org.gntfs.client;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import org.gntfs.Fault;
import org.gntfs.GntfsException;
import org.gntfs.fuse.MountTable;

/** Reads what a running mount publishes about itself as {@code user.gnt.*} on its root. */
public final class MountFacts {
    private MountFacts() {}

    /** The root of the gntfs mount that holds {@code path}. */
    public static Path mountRootOf(Path path) {
        Path absolute = path.toAbsolutePath().normalize();
        for (Path candidate = absolute; candidate != null; candidate = candidate.getParent()) {
            if (isGntfsMountRoot(candidate)) {
                return candidate;
            }
        }
        throw GntfsException.of(Fault.NOT_FOUND, "%s is not on a gntfs mount", path);
    }

    private static boolean isGntfsMountRoot(Path mountPoint) {
        try {
            return MountTable.typeAt(mountPoint.toRealPath()).filter(MountTable.GNTFS_TYPE::equals).isPresent();
        } catch (IOException e) {
            return false;
        }
    }

    /** The value of {@code user.gnt.KEY} on the root of a gntfs mount. */
    public static String read(Path mountPoint, String key) {
        // Only the mount root's facts are the daemon's: below it, a user could have set any user.* name.
        if (!isGntfsMountRoot(mountPoint)) {
            throw GntfsException.of(Fault.NOT_FOUND, "%s is not a gntfs mount", mountPoint);
        }
        UserDefinedFileAttributeView view = Files.getFileAttributeView(mountPoint, UserDefinedFileAttributeView.class);
        String name = "gnt." + key;
        try {
            ByteBuffer value = ByteBuffer.allocate(view.size(name));
            view.read(name, value);
            return new String(value.array(), 0, value.position(), UTF_8);
        } catch (IOException e) {
            throw GntfsException.causedBy(
                    Fault.NOT_FOUND, e, "%s is not a gntfs mount (no user.%s: %s)", mountPoint, name, e.getMessage());
        }
    }
}
