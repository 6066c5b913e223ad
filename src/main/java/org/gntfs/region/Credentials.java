package org.gntfs.region;

import com.google.common.base.Splitter;
import com.google.common.collect.ImmutableSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Who asks, as the kernel's permission check sees it: the filesystem uid and gid, the
 * supplementary groups, and whether the capabilities let it search any directory
 * ({@code CAP_DAC_READ_SEARCH} or {@code CAP_DAC_OVERRIDE}, effective, counted only where the
 * kernel counts them for this mount's inodes: in the daemon's own user namespace).
 *
 * <p>A FUSE request tells its caller's uid, gid and thread id, not the groups or capabilities; those are read
 * from {@code /proc/TID}. The thread is blocked in its call while it is served, so its
 * credentials cannot change meanwhile; what {@code /proc} cannot confirm (a thread gone, in a
 * namespace the daemon cannot see, or with ids other than the request's) is not granted: no groups and
 * no capabilities.
 */
public record Credentials(int uid, int gid, ImmutableSet<Integer> groups, boolean searchesEveryDirectory) {
    private static final int SEARCH = 1;
    private static final int CAP_DAC_OVERRIDE = 1;
    private static final int CAP_DAC_READ_SEARCH = 2;
    private static final Splitter FIELDS = Splitter.on(' ').omitEmptyStrings();
    private static final Path PROC = Path.of("/proc");

    /** Only the ids: no supplementary group, no capability. */
    public static Credentials of(int uid, int gid) {
        return new Credentials(uid, gid, ImmutableSet.of(), false);
    }

    /**
     * The credentials of thread {@code tid}, which the FUSE request says makes a call as {@code uid} and
     * {@code gid}; a tid of 0 (a caller in a pid namespace the daemon cannot see) gives {@link #of}.
     */
    public static Credentials ofCaller(int uid, int gid, long tid) {
        if (tid <= 0) {
            return of(uid, gid);
        }
        Path thread = PROC.resolve(Long.toString(tid));
        try {
            List<String> status = Files.readAllLines(thread.resolve("status"));
            Optional<List<String>> uids = field(status, "Uid");
            Optional<List<String>> gids = field(status, "Gid");
            // The fourth id is the filesystem one, which the request carries.
            if (uids.isEmpty() || gids.isEmpty() || !uids.get().get(3).equals(Integer.toUnsignedString(uid))
                    || !gids.get().get(3).equals(Integer.toUnsignedString(gid))) {
                return of(uid, gid);
            }
            ImmutableSet<Integer> groups = field(status, "Groups").orElse(List.of()).stream()
                    .map(Integer::parseUnsignedInt)
                    .collect(ImmutableSet.toImmutableSet());
            long capabilities = Long.parseUnsignedLong(field(status, "CapEff").orElse(List.of("0")).get(0), 16);
            boolean privileged = (capabilities & (1L << CAP_DAC_OVERRIDE | 1L << CAP_DAC_READ_SEARCH)) != 0
                    && inDaemonsUserNamespace(thread);
            return new Credentials(uid, gid, groups, privileged);
        } catch (IOException | RuntimeException e) {
            return of(uid, gid);
        }
    }

    /**
     * The kernel counts a capability for an inode only if the inode's owner and group are mapped
     * in the caller's user namespace: certainly so when the caller's maps read as the daemon's own
     * (the same namespace, or one that maps everything the same way).
     */
    private static boolean inDaemonsUserNamespace(Path thread) throws IOException {
        Path self = PROC.resolve("self");
        return Files.readString(thread.resolve("uid_map")).equals(Files.readString(self.resolve("uid_map")))
                && Files.readString(thread.resolve("gid_map")).equals(Files.readString(self.resolve("gid_map")));
    }

    /** The values of a {@code Name:} line of {@code /proc/PID/status}. */
    private static Optional<List<String>> field(List<String> status, String name) {
        String prefix = name + ":";
        return status.stream()
                .filter(line -> line.startsWith(prefix))
                .findFirst()
                .map(line -> FIELDS.splitToList(line.substring(prefix.length()).replace('\t', ' ')));
    }

    /** Whether the kernel's {@code default_permissions} check lets these credentials search {@code directory}. */
    public boolean maySearch(Directory directory) {
        if (searchesEveryDirectory) {
            return true;
        }
        int mode = directory.permissions();
        int granted;
        if (uid == directory.uid()) {
            granted = mode >> 6;
        } else if (gid == directory.gid() || groups.contains(directory.gid())) {
            granted = mode >> 3;
        } else {
            granted = mode;
        }
        return (granted & SEARCH) != 0;
    }
}
