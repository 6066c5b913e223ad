package org.gntfs.daemon;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.gntfs.protocol.MountTable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Unmounts the daemon's own mount and nothing else. Root's {@code fusermount3 -u} and
 * {@code umount} take whatever is mounted on top of a path, whatever its type, so before each
 * attempt the topmost mount there must be a gntfs mount; anything else mounted over it is left
 * alone, with one line in the log.
 */
final class OwnMountUnmount {
    private static final Logger log = LoggerFactory.getLogger(OwnMountUnmount.class);
    static final Duration COMMAND_WAIT = Duration.ofSeconds(10);

    private OwnMountUnmount() {}

    /**
     * Unmounts cleanly with fusermount3, or as root with umount; if the mount is busy or those
     * fail, detaches it lazily (as its owner, or as root) so that the FUSE session ends once the
     * last user lets go. Stops as soon as no gntfs mount is on top of {@code mountPoint}.
     *
     * @return false if it left the mount point untouched because something else is mounted on
     *     top (the session then goes on serving the mount beneath), true otherwise
     */
    static boolean unmount(Path mountPoint) throws InterruptedException {
        boolean first = true;
        for (List<String> command : List.of(
                List.of("fusermount3", "-u", "--", mountPoint.toString()),
                List.of("umount", "--", mountPoint.toString()),
                List.of("fusermount3", "-u", "-z", "--", mountPoint.toString()),
                List.of("umount", "-l", "--", mountPoint.toString()))) {
            Optional<String> topmost;
            try {
                topmost = MountTable.typeAt(mountPoint);
            } catch (IOException e) {
                log.warn("not unmounting {}: cannot tell what is mounted there: {}", mountPoint, e.getMessage());
                return !first;
            }
            if (topmost.isEmpty()) {
                return true;
            }
            if (!topmost.get().equals(MountTable.GNTFS_TYPE)) {
                // After a first attempt, what shows may be the mount ours covered: ours is gone.
                if (first) {
                    log.warn("not unmounting {}: {} is mounted over it, not {}; leaving it",
                            mountPoint, topmost.get(), MountTable.GNTFS_TYPE);
                }
                return !first;
            }
            first = false;
            runQuietly(command);
        }
        return true;
    }

    private static void runQuietly(List<String> command) throws InterruptedException {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            if (!process.waitFor(COMMAND_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                log.warn("{} did not finish in {}", command, COMMAND_WAIT);
                return;
            }
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (process.exitValue() != 0) {
                log.debug("{} failed: {}", command, output);
            }
        } catch (IOException e) {
            log.debug("{} could not run: {}", command, e.getMessage());
        }
    }
}
