package org.gntfs.it;

import static com.google.common.base.Preconditions.checkState;
import static java.nio.charset.StandardCharsets.UTF_8;

import com.google.common.base.Splitter;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A second Xen domain for the dom0 suite: a busybox PV domU, booted by
 * {@code src/test/xen/domu-session.sh} with the harness's domu.sh, running the peer program
 * ({@code src/test/xen/domu/peer.c}: libxengnttab, libxenevtchn, libxenstore). Requests reach the
 * peer through the domU's xenstore directory; see peer.c for what it understands. Every wait is
 * bounded, and {@link #close} destroys the domain.
 */
final class DomuSession implements AutoCloseable {
    private static final String INITRD = "GNTFS_DOMU_INITRD";
    private static final long BOOT_SECONDS = 420;
    private static final long REQUEST_SECONDS = 60;

    private final Process process;
    private final OutputStream commands;
    private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();
    private final int domid;
    private final long bootSeconds;

    private DomuSession() throws IOException {
        String initrd = System.getenv(INITRD);
        checkState(initrd != null && Files.isRegularFile(Path.of(initrd)),
                "no domU initramfs in $%s: run the suite with src/test/xen/run-xen-suite.sh", INITRD);
        process = new ProcessBuilder("bash", "src/test/xen/domu-session.sh", initrd).redirectErrorStream(true).start();
        commands = process.getOutputStream();
        Thread reader = new Thread(this::pump, "domu-session");
        reader.setDaemon(true);
        reader.start();
        List<String> ready = Splitter.on(' ').splitToList(answer(BOOT_SECONDS));
        checkState(ready.get(0).equals("ready"), "the domU did not boot: %s", ready);
        domid = Integer.parseInt(ready.get(1));
        bootSeconds = Long.parseLong(ready.get(2));
    }

    /** Boots the domU and waits (bounded) until its peer serves requests. */
    static DomuSession boot() throws IOException {
        return new DomuSession();
    }

    int domid() {
        return domid;
    }

    /** Seconds from {@code xl create} to the peer serving, as dom0 saw it. */
    long bootSeconds() {
        return bootSeconds;
    }

    /** Hands the peer one request; its reply, "ok ..." or "error ...". */
    String call(Object... request) {
        StringBuilder line = new StringBuilder();
        for (Object word : request) {
            line.append(line.length() == 0 ? "" : " ").append(word);
        }
        return command("call\t" + REQUEST_SECONDS + "\t" + line);
    }

    /** The peer's reply to a request that must succeed, without the "ok". */
    String ok(Object... request) {
        String reply = call(request);
        checkState(reply.startsWith("ok"), "the peer refused %s: %s", List.of(request), reply);
        return reply.substring(2).trim();
    }

    /** How many of {@code granter}'s grant entries Xen shows mapped by another domain. */
    int activeGrantsOf(int granter) {
        return Integer.parseInt(command("active\t" + granter));
    }

    /** {@code xl destroy}: the domU dies wherever it is; the seconds it took. */
    long destroy() {
        String reply = command("destroy");
        checkState(reply.startsWith("ok "), "xl destroy failed: %s", reply);
        return Long.parseLong(reply.substring(3));
    }

    private String command(String line) {
        try {
            commands.write((line + "\n").getBytes(UTF_8));
            commands.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("the domU session is gone", e);
        }
        return answer(REQUEST_SECONDS + 60);
    }

    private String answer(long seconds) {
        try {
            String answer = answers.poll(seconds, TimeUnit.SECONDS);
            checkState(answer != null, "no answer from the domU session within %s s", seconds);
            return answer;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Answers go to the queue; the domU's console and domu.sh's log to the test's output. */
    private void pump() {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                if (line.startsWith("@@ ")) {
                    answers.add(line.substring(3));
                } else {
                    System.out.println(line);
                }
            }
        } catch (IOException e) {
            System.out.println("domu-session: " + e);
        }
    }

    /** Destroys the domU (the script's EXIT trap does it whatever happens), within bounds. */
    @Override
    public void close() throws InterruptedException {
        try {
            commands.write("quit\n".getBytes(UTF_8));
            commands.close();
        } catch (IOException e) {
            // The script is gone already: its trap has run.
        }
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
            process.destroy(); // SIGTERM: the trap still destroys the domU
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
