package org.gntfs.it;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A process that maps a region of a mount and keeps the mapping while the test does something to
 * the daemon, then touches the region every way a user would and reports what each access gave:
 * a page never faulted in (through the mapping), pread, msync of a dirty page, munmap and close.
 * Each access runs in a child, so a SIGBUS is reported as such; a hang shows as a timeout.
 */
final class MappingHolder implements AutoCloseable {
    private static final int PAGES = 256;
    private static final String SCRIPT = RegionMountIT.PY + String.join("\n",
            "import signal",
            "p, pages = sys.argv[1], int(sys.argv[2])",
            "fd = os.open(p, os.O_CREAT | os.O_RDWR, 0o600)",
            "os.ftruncate(fd, pages * 4096)",
            "m = mmap.mmap(fd, pages * 4096, mmap.MAP_SHARED)",
            "m[0:5] = b'dirty'",
            "print('mapped', flush=True)",
            "sys.stdin.readline()",
            "def outcome(f):",
            "    r, w = os.pipe()",
            "    pid = os.fork()",
            "    if pid == 0:",
            "        os.write(w, attempt(f).encode())",
            "        os._exit(0)",
            "    os.close(w)",
            "    _, status = os.waitpid(pid, 0)",
            "    said = os.read(r, 64).decode()",
            "    return said or signal.Signals(os.WTERMSIG(status)).name",
            "print('fault', outcome(lambda: m[(pages - 1) * 4096]),",
            "      'pread', outcome(lambda: os.pread(fd, 4, (pages // 2) * 4096)),",
            "      'msync', outcome(m.flush),",
            "      'munmap', outcome(m.close),",
            "      'close', outcome(lambda: os.close(fd)), flush=True)");

    private final Process process;
    private final BufferedReader output;

    /** Starts the holder and returns once it has mapped {@code region}. */
    MappingHolder(Path region) throws IOException {
        process = new ProcessBuilder("python3", "-c", SCRIPT, region.toString(), Integer.toString(PAGES))
                .redirectErrorStream(true)
                .start();
        output = new BufferedReader(new InputStreamReader(process.getInputStream(), UTF_8));
        String first = output.readLine();
        if (!"mapped".equals(first)) {
            throw new AssertionError("the mapping holder did not map " + region + ": " + first);
        }
    }

    /** Touches the region now; gives what each access got, e.g. "fault SIGBUS pread ENOTCONN ...". */
    String touch() throws IOException, InterruptedException {
        try (OutputStream in = process.getOutputStream()) {
            in.write('\n');
        }
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            throw new AssertionError("the mapping holder hung for 60 s");
        }
        return output.readLine();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
