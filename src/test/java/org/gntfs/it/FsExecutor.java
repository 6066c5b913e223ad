package org.gntfs.it;

import com.google.common.collect.ImmutableList;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Runs {@code fs_executor.py}: a sequence of operations on one tree, one result line each, then the final tree. */
final class FsExecutor {
    private static final Duration TIMEOUT = Duration.ofMinutes(10);
    private static final Path SCRIPT = Proc.script("fs_executor.py");

    private FsExecutor() {}

    /** Runs the operations stored in {@code opsFile} on {@code root}; a non-zero exit (SIGBUS too) fails. */
    static ImmutableList<String> run(Path root, Path opsFile) {
        Proc.Result result = Proc.run(
                List.of("python3", SCRIPT.toString(), root.toString(), opsFile.toString()), null, TIMEOUT);
        ImmutableList<String> lines = ImmutableList.copyOf(result.out().lines().iterator());
        if (result.exit() != 0) {
            throw new AssertionError("fs_executor.py on " + root + " exited with " + result.exit() + " after "
                    + lines.size() + " results, the last " + lines.subList(Math.max(0, lines.size() - 3), lines.size())
                    + "\n" + result.err());
        }
        return lines;
    }

    static Path writeOps(Path file, List<String> ops) {
        try {
            return Files.write(file, ops);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
