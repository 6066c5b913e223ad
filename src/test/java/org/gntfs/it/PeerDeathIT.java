package org.gntfs.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A peer that dies while it maps a page leaks nothing, however it dies: once the region is gone,
 * the pool, {@code df} and the ref are back as they were, with nothing deferred; and a ref that
 * another peer still maps stays taken until that one unmaps too.
 */
class PeerDeathIT {
    private static final Duration RECLAIM_WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    final MountedGntfs gntfs = new MountedGntfs();

    private final List<Process> peers = new java.util.ArrayList<>();

    @AfterEach
    void stopPeers() {
        peers.forEach(Process::destroyForcibly);
    }

    @Test
    void aPeerKilledWithSigkill_whileItMapsARef_leaksNothing() throws Exception {
        killedWhileMapping(true);
    }

    @Test
    void aPeerKilledWithSigterm_whileItMapsARef_leaksNothing() throws Exception {
        killedWhileMapping(false);
    }

    private void killedWhileMapping(boolean sigkill) throws Exception {
        long freeBefore = freeBlocks();
        long usedBefore = gntfs.grantsInUse();
        String gref = createOnePageRegion("r");
        Process watcher = watch(gref, 60);

        Files.delete(gntfs.path("r"));
        gntfs.awaitUnlinkedRegionsReleased();
        assertThat(freeBlocks()).as("the peer maps the released page: its ref is deferred").isEqualTo(freeBefore - 1);

        if (sigkill) {
            watcher.destroyForcibly();
        } else {
            watcher.destroy();
        }
        assertThat(watcher.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(watcher.exitValue()).isEqualTo(sigkill ? 128 + 9 : 128 + 15);

        awaitFreeBlocks(freeBefore);
        assertThat(gntfs.grantsInUse()).isEqualTo(usedBefore);
        assertThat(createOnePageRegion("again")).as("the ref is free again, and the next taken").isEqualTo(gref);
    }

    @Test
    void twoPeersMappingOneRef_oneKilled_theRefStaysTakenUntilTheOtherUnmaps() throws Exception {
        long freeBefore = freeBlocks();
        String gref = createOnePageRegion("r");
        // This one unmaps by itself, at its timeout: time enough for the other's start and death.
        Process survivor = watch(gref, 10);
        Process killed = watch(gref, 60);

        Files.delete(gntfs.path("r"));
        gntfs.awaitUnlinkedRegionsReleased();
        killed.destroyForcibly();
        assertThat(killed.waitFor(30, TimeUnit.SECONDS)).isTrue();

        assertThat(survivor.isAlive()).as("the survivor still maps the page").isTrue();
        assertThat(freeBlocks()).as("one peer still maps the ref").isEqualTo(freeBefore - 1);
        assertThat(survivor.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(survivor.exitValue()).as("it gave up waiting, and unmapped").isEqualTo(1);
        awaitFreeBlocks(freeBefore);
        assertThat(createOnePageRegion("again")).isEqualTo(gref);
    }

    /** A one-page region whose byte 0 is 7, so that a watcher of it waits; its gref. */
    private String createOnePageRegion(String name) {
        Path region = gntfs.path(name);
        Proc.python(RegionMountIT.PY + String.join("\n",
                "fd = os.open(sys.argv[1], os.O_CREAT | os.O_RDWR, 0o600)",
                "os.pwrite(fd, b'\\x07', 0)",
                "os.close(fd)"), region).assertOk();
        return Proc.run(List.of("getfattr", "--only-values", "-n", "user.gnt.grefs", region.toString())).assertOk().out().trim();
    }

    /** {@code gntfs peer watch} of byte 0 of {@code gref}, once it has mapped the page. */
    private Process watch(String gref, int timeoutSeconds) throws IOException {
        Process watcher = new ProcessBuilder(
                "java", "-jar", Proc.JAR.toString(), "peer", "watch", gntfs.root().toString(),
                "--as", "0", "--gref", gref, "--timeout", Integer.toString(timeoutSeconds))
                .redirectErrorStream(true)
                .start();
        peers.add(watcher);
        BufferedReader lines = new BufferedReader(new InputStreamReader(watcher.getInputStream(), UTF_8));
        assertThat(lines.readLine()).isEqualTo("mapped gref " + gref + ", byte 0 is 7");
        return watcher;
    }

    /** What {@code df} shows as free, in pages. */
    private long freeBlocks() {
        return Long.parseLong(Proc.run(List.of("stat", "-f", "-c", "%f", gntfs.root().toString())).assertOk().out().trim());
    }

    private void awaitFreeBlocks(long expected) throws InterruptedException {
        long deadline = System.nanoTime() + RECLAIM_WAIT.toNanos();
        while (freeBlocks() != expected) {
            assertThat(System.nanoTime()).as("df back to %d free within %s", expected, RECLAIM_WAIT).isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
