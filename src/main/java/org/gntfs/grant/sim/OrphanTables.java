package org.gntfs.grant.sim;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The table files of daemons that died without closing them, named by the pid that made them. */
final class OrphanTables {
    private static final Logger log = LoggerFactory.getLogger(OrphanTables.class);

    /** Every table file's name starts so, then the daemon's pid and a dash. */
    static final String FILE_PREFIX = "gntfs-";
    private static final Pattern OWNED_FILE = Pattern.compile(
            Pattern.quote(FILE_PREFIX) + "(\\d{1,10})-\\d+" + Pattern.quote(TableLayout.TABLE_SUFFIX));

    private OrphanTables() {}

    /**
     * Deletes the tables of daemons that died without cleaning up (SIGKILL), found by the pid in
     * their names. Their spaces, memfds, went with them.
     */
    static void removeFrom(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Matcher name = OWNED_FILE.matcher(file.getFileName().toString());
                if (name.matches() && !isRunning(name.group(1))) {
                    removeOrphan(file, name.group(1));
                }
            }
        }
    }

    /** Another user's orphan, in a sticky /dev/shm, is theirs to remove: it must not stop this mount. */
    private static void removeOrphan(Path file, String deadPid) {
        try {
            Files.deleteIfExists(file);
            log.info("removed {}, left by the dead daemon {}", file, deadPid);
        } catch (IOException e) {
            log.warn("cannot remove {}, left by the dead daemon {}: {}", file, deadPid, e.toString());
        }
    }

    /** Whether a process runs with that pid; a zombie, which a SIGKILL leaves for a while, does not. */
    private static boolean isRunning(String pid) {
        try {
            String stat = Files.readString(Path.of("/proc", pid, "stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException | IndexOutOfBoundsException e) {
            return false;
        }
    }
}
