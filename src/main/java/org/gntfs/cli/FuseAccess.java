package org.gntfs.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.gntfs.Fault;
import org.gntfs.GntfsException;

/**
 * What a mount by a user other than root needs, checked before libfuse tries, so that the user is
 * told in one line what is missing instead of libfuse's "failed to open /dev/fuse". libfuse 2
 * opens /dev/fuse itself (fusermount's setuid path only mounts), and every gntfs mount has
 * {@code allow_other}, which fusermount grants a user only with {@code user_allow_other} in
 * /etc/fuse.conf.
 */
final class FuseAccess {
    static final Path DEVICE = Path.of("/dev/fuse");
    static final Path CONFIG = Path.of("/etc/fuse.conf");

    private FuseAccess() {}

    static void checkCanMount() throws IOException {
        if ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0) {
            return;
        }
        List<String> missing = new ArrayList<>();
        if (!Files.isReadable(DEVICE) || !Files.isWritable(DEVICE)) {
            missing.add("read-write access to " + DEVICE + ", which this user lacks (e.g. chmod 0666 " + DEVICE + ")");
        }
        if (!allowsOther()) {
            missing.add("user_allow_other in " + CONFIG + ", which it lacks (every gntfs mount has allow_other)");
        }
        if (!missing.isEmpty()) {
            throw GntfsException.of(Fault.ACCESS_DENIED, "a mount as a user other than root needs: %s; or mount as root",
                    String.join("; and ", missing));
        }
    }

    private static boolean allowsOther() throws IOException {
        if (!Files.isReadable(CONFIG)) {
            return false;
        }
        return Files.readAllLines(CONFIG).stream().map(String::strip).anyMatch("user_allow_other"::equals);
    }
}
