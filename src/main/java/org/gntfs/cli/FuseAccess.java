package org.gntfs.cli;

import com.google.common.base.Splitter;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import jnr.constants.platform.Errno;
import org.gntfs.Fault;
import org.gntfs.GntfsException;
import org.gntfs.nativeio.NativeError;
import org.gntfs.nativeio.Posix;

/**
 * What a mount needs, asked before the FUSE engine tries, so that the user is told in one line
 * what is missing instead of a bare EACCES from /dev/fuse. The kernel answers both questions: the
 * engine opens /dev/fuse itself, so this opens it too, as this process; and it mounts with
 * mount(2) when the process holds CAP_SYS_ADMIN, and otherwise through fusermount3 (found on
 * {@code PATH}, as the engine spawns it), which grants {@code allow_other} (every gntfs mount has
 * it) only with {@code user_allow_other} in /etc/fuse.conf.
 */
final class FuseAccess {
    static final Path DEVICE = Path.of("/dev/fuse");
    static final Path CONFIG = Path.of("/etc/fuse.conf");
    static final String HELPER = "fusermount3";
    private static final int CAP_SYS_ADMIN = 21;

    private FuseAccess() {}

    static void checkCanMount() throws IOException {
        List<String> missing = new ArrayList<>();
        try {
            Posix.closeQuietly(Posix.open(DEVICE, Posix.O_RDWR, 0));
        } catch (NativeError e) {
            if (!e.is(Errno.EACCES) && !e.is(Errno.EPERM)) {
                throw e;
            }
            missing.add("read-write access to " + DEVICE + ", which this user lacks (e.g. chmod 0666 " + DEVICE + ")");
        }
        if (!mountsItself()) {
            if (!findsHelper()) {
                missing.add(HELPER + " on its PATH (package fuse3), which mounts for it");
            }
            if (!allowsOther()) {
                missing.add("user_allow_other in " + CONFIG + ", which it lacks (every gntfs mount has allow_other)");
            }
        }
        if (!missing.isEmpty()) {
            throw GntfsException.of(Fault.ACCESS_DENIED, "a mount as a user other than root needs: %s; or mount as root",
                    String.join("; and ", missing));
        }
    }

    /** Whether this process may call mount(2) itself, as the kernel's own status of it says. */
    private static boolean mountsItself() throws IOException {
        String effective = Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(line -> line.startsWith("CapEff:"))
                .findFirst()
                .orElseThrow(() -> new IOException("/proc/self/status has no CapEff line"))
                .substring("CapEff:".length()).strip();
        return new BigInteger(effective, 16).testBit(CAP_SYS_ADMIN);
    }

    /** Whether posix_spawnp would find the helper: on {@code PATH}, or glibc's default path without one. */
    private static boolean findsHelper() {
        String path = System.getenv().getOrDefault("PATH", "/bin:/usr/bin");
        return Splitter.on(':').omitEmptyStrings().splitToStream(path)
                .anyMatch(directory -> Files.isExecutable(Path.of(directory, HELPER)));
    }

    private static boolean allowsOther() throws IOException {
        if (!Files.isReadable(CONFIG)) {
            return false;
        }
        return Files.readAllLines(CONFIG).stream().map(String::strip).anyMatch("user_allow_other"::equals);
    }
}
