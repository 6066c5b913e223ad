package org.gntfs.it;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.google.common.collect.ImmutableList;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Runs another OS process to completion, as a user of the mount would. */
final class Proc {
    static final Path JAR = Path.of("target/gntfs.jar").toAbsolutePath();
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    record Result(int exit, String out, String err) {
        Result assertOk() {
            if (exit != 0) {
                throw new AssertionError("exit " + exit + "\nstdout: " + out + "\nstderr: " + err);
            }
            return this;
        }
    }

    private Proc() {}

    static Result run(List<String> command) {
        return run(command, null);
    }

    static Result run(List<String> command, byte[] stdin) {
        return run(command, stdin, TIMEOUT);
    }

    static Result run(List<String> command, byte[] stdin, Duration timeout) {
        try {
            Process process = new ProcessBuilder(command).start();
            CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(process, true));
            CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(process, false));
            try (var in = process.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin);
                }
            }
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(command + " did not finish in " + timeout);
            }
            return new Result(process.exitValue(), new String(out.join(), UTF_8), new String(err.join(), UTF_8));
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Runs a Python 3 script with arguments; the script sees them as sys.argv[1:]. */
    static Result python(String script, Object... args) {
        ImmutableList.Builder<String> command = ImmutableList.<String>builder().add("python3", "-c", script);
        for (Object arg : args) {
            command.add(arg.toString());
        }
        return run(command.build());
    }

    /** A script among the test resources beside these classes, for {@code python3 SCRIPT ...}. */
    static Path script(String name) {
        try {
            return Path.of(Proc.class.getResource(name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path readableByAll;

    /**
     * A copy of {@code file} (or of a directory's files) that another user can read, for the
     * tests that run as nobody: the checkout itself may be in a directory only its owner enters.
     * The copies live in one 0755 directory for this JVM, removed when it exits.
     */
    static synchronized Path readableByAll(Path file) {
        try {
            if (readableByAll == null) {
                readableByAll = Files.createTempDirectory("gntfs-it-shared-",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
                readableByAll.toFile().deleteOnExit();
            }
            Path copy = readableByAll.resolve(file.getFileName());
            if (Files.isDirectory(file)) {
                Files.createDirectories(copy);
                copy.toFile().deleteOnExit();
                try (Stream<Path> children = Files.list(file)) {
                    for (Path child : (Iterable<Path>) children::iterator) {
                        if (Files.isRegularFile(child)) {
                            copyReadable(child, copy.resolve(child.getFileName()));
                        }
                    }
                }
            } else {
                copyReadable(file, copy);
            }
            return copy;
        } catch (IOException e) {
            throw new AssertionError("cannot copy " + file + " for other users", e);
        }
    }

    private static void copyReadable(Path from, Path to) throws IOException {
        if (!Files.exists(to)) {
            Files.copy(from, to);
            to.toFile().deleteOnExit();
        }
        Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rw-r--r--"));
    }

    /** Runs {@code java -jar target/gntfs.jar} with arguments. */
    static Result gntfs(Object... args) {
        return gntfsWithInput(null, args);
    }

    static Result gntfsWithInput(byte[] stdin, Object... args) {
        ImmutableList.Builder<String> command = ImmutableList.<String>builder().add("java", "-jar", JAR.toString());
        for (Object arg : args) {
            command.add(arg.toString());
        }
        return run(command.build(), stdin);
    }

    private static byte[] readAll(Process process, boolean stdout) {
        try {
            return (stdout ? process.getInputStream() : process.getErrorStream()).readAllBytes();
        } catch (IOException e) {
            return new byte[0];
        }
    }
}
