package org.gntfs.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A mount point in a test's temporary directory, mounted and unmounted with {@code fuse-mount.sh}
 * as a user does, with the script's run directory and install prefix in that directory too (the
 * gntfs command, mount helper and unit go to {@code PREFIX}, not to /usr/local and /sbin).
 */
final class ScriptedMount implements AutoCloseable {
    static final Path SCRIPT = Path.of("fuse-mount.sh").toAbsolutePath();

    private final Path mountPoint;
    private final Path runDirectory;
    private final Path prefix;

    ScriptedMount(Path directory) {
        mountPoint = directory.resolve("gnt");
        runDirectory = directory.resolve("run");
        prefix = directory.resolve("prefix");
    }

    Path mountPoint() {
        return mountPoint;
    }

    Path prefix() {
        return prefix;
    }

    /** Runs fuse-mount.sh with these arguments. */
    Proc.Result script(String... args) {
        return scriptWith(List.of(), args);
    }

    /** Runs fuse-mount.sh with these arguments and more environment, NAME=VALUE each. */
    Proc.Result scriptWith(List<String> environment, String... args) {
        List<String> command = new ArrayList<>(List.of(
                "env", "GNTFS_RUN_DIR=" + runDirectory, "GNTFS_PREFIX=" + prefix, "GNTFS_SBIN_DIR=" + prefix.resolve("sbin")));
        command.addAll(environment);
        command.add(SCRIPT.toString());
        command.addAll(List.of(args));
        return Proc.run(command);
    }

    Path pidFile() {
        return stateFile(".pid");
    }

    /** The daemon's log, as fuse-mount.sh names it. */
    Path logFile() {
        return stateFile(".log");
    }

    private Path stateFile(String suffix) {
        String name = mountPoint.toString().replace("%", "%25").replace("_", "%5f").replace('/', '_');
        return runDirectory.resolve("gntfs" + name + suffix);
    }

    long daemonPid() throws IOException {
        return Long.parseLong(Files.readString(pidFile()).trim());
    }

    boolean isMounted() {
        return Proc.run(List.of("mountpoint", "-q", mountPoint.toString())).exit() == 0;
    }

    boolean isStale() {
        return Proc.run(List.of("stat", "-f", mountPoint.toString())).err().contains("not connected");
    }

    /** Whatever a test left mounted goes, and its daemon with it. */
    @Override
    public void close() throws IOException {
        if (isStale() || isMounted()) {
            Proc.run(List.of("fusermount3", "-u", "-z", mountPoint.toString()));
        }
        if (Files.exists(pidFile())) {
            ProcessHandle.of(daemonPid()).ifPresent(ProcessHandle::destroy);
        }
    }
}
