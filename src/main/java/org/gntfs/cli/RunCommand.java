package org.gntfs.cli;

import com.google.common.collect.ImmutableList;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.gntfs.client.MountFacts;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code gntfs run}: runs a program in a private mount namespace where /dev/shm is the gntfs mount
 * (or a directory of it), so that POSIX shm programs ({@code shm_open}, Python's
 * {@code SharedMemory}) make granted regions unchanged. util-linux's {@code unshare} makes the
 * namespace: root gets a plain one; any other user a user namespace as its root, which may bind
 * mounts there, and then a nested one that gives the program back the caller's uid and gid. Either
 * way the program's regions belong to the caller, and nothing outside the namespace sees the bind.
 */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        description = {
            "Run PROG with the gntfs mount (or a directory of it) as its /dev/shm, in a private mount namespace:"
                    + " POSIX shared memory (shm_open, Python's SharedMemory) then makes granted regions.",
            "Exits with PROG's status."
        })
final class RunCommand implements Callable<Integer> {
    /** A shell in the namespace binds $0 over /dev/shm, then runs the rest: no quoting of user text. */
    private static final String BIND_THEN_EXEC = "mount --bind \"$0\" /dev/shm && exec \"$@\"";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--mount", paramLabel = "MOUNTPOINT", defaultValue = Main.DEFAULT_MOUNT,
            description = "The gntfs mount (default: ${DEFAULT-VALUE}).")
    Path mountPoint;

    @Option(names = "--dir", paramLabel = "SUBDIR",
            description = "A directory of the mount to be /dev/shm instead of its root; made if missing.")
    Path directory;

    @Parameters(index = "0", paramLabel = "PROG", description = "The program to run, after --.")
    String program;

    @Parameters(index = "1..*", paramLabel = "ARGS", description = "Its arguments.")
    List<String> arguments = List.of();

    @Override
    public Integer call() throws IOException, InterruptedException {
        MountFacts.read(mountPoint, "backend");
        Path shm = mountPoint.toAbsolutePath();
        if (directory != null) {
            if (directory.isAbsolute() || directory.normalize().startsWith("..")) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--dir must name a directory inside the mount");
            }
            shm = Files.createDirectories(shm.resolve(directory));
        }
        Process process = new ProcessBuilder(command(shm, uid(), gid())).inheritIO().start();
        return process.waitFor();
    }

    ImmutableList<String> command(Path shm, int uid, int gid) {
        ImmutableList.Builder<String> command = ImmutableList.builder();
        if (uid == 0) {
            command.add("unshare", "--mount", "--propagation", "private", "--", "sh", "-c", BIND_THEN_EXEC, shm.toString());
        } else {
            command.add("unshare", "--user", "--map-root-user", "--mount", "--propagation", "private", "--",
                    "sh", "-c", BIND_THEN_EXEC, shm.toString(),
                    "unshare", "--user", "--map-user=" + uid, "--map-group=" + gid, "--");
        }
        return command.add(program).addAll(arguments).build();
    }

    private static int uid() throws IOException {
        return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    }

    private static int gid() throws IOException {
        return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:gid");
    }
}
