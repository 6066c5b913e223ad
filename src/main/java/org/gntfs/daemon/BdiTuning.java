package org.gntfs.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lifts the dirty-page limit the kernel puts on every FUSE mount. FUSE creates each mount's
 * backing device with {@code strict_limit=1, max_ratio=1}: at most 1% of the dirty budget, so a
 * process rewriting a mapping of more than a few dozen MiB is throttled into continuous
 * writeback, about 100 times slower than tmpfs. The limit guards against an untrusted daemon
 * pinning memory; gntfs runs as root and its pages are the ones being shared, so it sets
 * {@code strict_limit=0, max_ratio=100} for its own mount (root only; otherwise it logs and
 * leaves the defaults). Dirty pages still reach the grants on msync, fsync, munmap and close.
 */
final class BdiTuning {
    private static final Logger log = LoggerFactory.getLogger(BdiTuning.class);
    private static final Path BDI_CLASS = Path.of("/sys/class/bdi");

    private BdiTuning() {}

    static void liftDirtyLimit(Path mountPoint) {
        try {
            Path device = BDI_CLASS.resolve(deviceName(mountPoint));
            Files.writeString(device.resolve("strict_limit"), "0");
            Files.writeString(device.resolve("max_ratio"), "100");
            log.debug("lifted the dirty-page limit of {} ({})", mountPoint, device);
        } catch (IOException | RuntimeException e) {
            log.info("keeping the kernel's dirty-page limit on {}: {}", mountPoint, e.toString());
        }
    }

    /** The {@code MAJOR:MINOR} name sysfs gives the device of the mounted filesystem. */
    private static String deviceName(Path mountPoint) throws IOException {
        long device = (Long) Files.getAttribute(mountPoint, "unix:dev");
        long major = ((device >>> 8) & 0xfff) | ((device >>> 32) & ~0xfffL);
        long minor = (device & 0xff) | ((device >>> 12) & ~0xffL);
        return major + ":" + minor;
    }
}
