package org.gntfs.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.collect.ImmutableList;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.gntfs.testing.CapturedLog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Several processes race on the same few names of one mount (concurrent_worker.py): create,
 * grow, shrink, pwrite, write through mappings, read, rename, unlink. Each process must finish
 * within the watchdog (a deadlock would not), meet only the errors such races give, and never
 * see a byte nobody wrote; the daemon must log no failure; afterwards the grants add up.
 */
class ConcurrencyIT {
    private static final int WORKERS = 4;
    private static final int ROUNDS = Integer.getInteger("gntfs.concurrency.rounds", 400);
    private static final long SEED = Long.getLong("gntfs.concurrency.seed", 1);
    /** Generous: the machine may be busy; a deadlock never finishes at all. */
    private static final Duration WATCHDOG = Duration.ofMinutes(5);

    @RegisterExtension
    final MountedGntfs gntfs = new MountedGntfs(1024, 0);

    private CapturedLog log;

    @BeforeEach
    void captureTheLog() {
        log = new CapturedLog();
    }

    @AfterEach
    void releaseTheLog() {
        log.close();
    }

    @Test
    void racingProcesses_neverDeadlockFailOrSeeForeignBytes_andTheGrantsAddUp() throws Exception {
        List<CompletableFuture<Proc.Result>> workers = IntStream.range(0, WORKERS)
                .mapToObj(index -> CompletableFuture.supplyAsync(() -> Proc.run(ImmutableList.of(
                        "python3", Proc.script("concurrent_worker.py").toString(), gntfs.root().toString(),
                        Integer.toString(index), Integer.toString(WORKERS), Long.toString(SEED), Integer.toString(ROUNDS)),
                        null, WATCHDOG)))
                .toList();

        List<Proc.Result> results = workers.stream().map(CompletableFuture::join).toList();

        for (Proc.Result result : results) {
            assertThat(result.exit()).as("seed %d: %s%s", SEED, result.out(), result.err()).isZero();
            assertThat(result.out()).contains("ok=");
            System.out.print("ConcurrencyIT worker: " + result.out());
        }
        assertThat(Proc.run(List.of("ls", "-la", gntfs.root().toString()), null, WATCHDOG).exit())
                .as("the mount still answers").isZero();
        gntfs.awaitUnlinkedRegionsReleased();
        assertThat(gntfs.pagesOfLiveRegions()).isEqualTo(gntfs.grantsInUse());
        assertThat(log.text()).doesNotContain("ERROR", "Exception");
        gntfs.unmount();
        assertThat(gntfs.grantsInUse()).isZero();
    }
}
