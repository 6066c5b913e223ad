package org.gntfs.it;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.google.common.collect.ImmutableList;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;

/**
 * Another process that maps a region through the direct-mapping socket with the documented Python
 * client (docs/examples/gntfs_direct.py), then reads and writes it as told, line by line.
 */
final class DirectHolder implements AutoCloseable {
    static final Path EXAMPLES = Path.of("docs/examples").toAbsolutePath();
    private static final Path SCRIPT = Proc.script("direct_holder.py");

    private final Process process;
    private final BufferedReader output;
    private final OutputStream input;
    private final String first;

    private DirectHolder(List<String> command) throws IOException {
        process = new ProcessBuilder(command).redirectErrorStream(true).start();
        output = new BufferedReader(new InputStreamReader(process.getInputStream(), UTF_8));
        input = process.getOutputStream();
        first = output.readLine();
    }

    /** Creates a region through FUSE, as a user would: open(O_CREAT), fchmod, ftruncate. */
    static Path createRegion(Path path, int mode, long size) {
        Proc.python(RegionMountIT.PY + String.join("\n",
                "fd = os.open(sys.argv[1], os.O_CREAT | os.O_RDWR, 0o600)",
                "os.fchmod(fd, int(sys.argv[2], 8))",
                "os.ftruncate(fd, int(sys.argv[3]))"),
                path, Integer.toOctalString(mode), size).assertOk();
        return path;
    }

    /** Maps {@code region} read-write, as this process's user; fails unless the daemon agreed. */
    static DirectHolder map(Path region) throws IOException {
        DirectHolder holder = attempt(List.of(), region, true);
        if (!holder.mapped()) {
            holder.close();
            throw new AssertionError("could not map " + region + " directly: " + holder.first);
        }
        return holder;
    }

    /**
     * Tries to map, running as {@code prefix} says (e.g. setpriv, then the scripts are run from
     * copies another user can read); see {@link #firstLine()}.
     */
    static DirectHolder attempt(List<String> prefix, Path region, boolean write) throws IOException {
        Path script = prefix.isEmpty() ? SCRIPT : Proc.readableByAll(SCRIPT);
        Path examples = prefix.isEmpty() ? EXAMPLES : Proc.readableByAll(EXAMPLES);
        return new DirectHolder(ImmutableList.<String>builder().addAll(prefix)
                .add(SecurityIT.PYTHON, script.toString(), examples.toString(), region.toString(), write ? "rw" : "r")
                .build());
    }

    /** "mapped SIZE GREF...", or "error ERRNAME". */
    String firstLine() {
        return first;
    }

    /** The gref of a page, from the first line. */
    int gref(int page) {
        return Integer.parseInt(first.split(" ")[2 + page]);
    }

    boolean mapped() {
        return first != null && first.startsWith("mapped ");
    }

    String call(String command) throws IOException {
        input.write((command + "\n").getBytes(UTF_8));
        input.flush();
        String answer = output.readLine();
        if (answer == null) {
            throw new AssertionError("the direct holder died on '" + command + "'");
        }
        return answer;
    }

    /** Ends the mapping the polite way: unmap, close the socket, exit. */
    void finish() throws IOException, InterruptedException {
        input.close();
        if (process.waitFor() != 0) {
            throw new AssertionError("the direct holder failed: " + output.lines().toList());
        }
    }

    /** SIGKILL: no chance to unmap or close anything. */
    void kill() {
        try {
            process.destroyForcibly().waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        kill();
    }
}
