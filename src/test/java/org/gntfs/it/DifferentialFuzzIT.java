package org.gntfs.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.collect.ImmutableList;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.LongStream;
import org.gntfs.region.Region;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Differential testing against tmpfs, the behaviour users expect of shm-like files: one seeded
 * random sequence of operations runs on a gntfs mount and on a directory in /dev/shm, and every
 * result (return value, errno, bytes, stat fields but times and inode numbers) and the final tree
 * must agree, but for the differences listed in {@link TmpfsDifference}. Afterwards the live
 * regions' pages are exactly the grants taken from the pool, and after unmount none is.
 *
 * <p>A longer run: {@code mvn -B verify -Dit.test=DifferentialFuzzIT -Dgntfs.fuzz.seeds=1-50
 * -Dgntfs.fuzz.ops=20000}; one seed again: {@code -Dgntfs.fuzz.seeds=7}.
 */
class DifferentialFuzzIT {
    private static final int OPS = Integer.getInteger("gntfs.fuzz.ops", 5000);

    @RegisterExtension
    final MountedGntfs gntfs = new MountedGntfs(4096, 0);

    @TempDir
    Path work;

    @RegisterExtension
    final TmpfsOracle oracle = new TmpfsOracle();

    /** The seeds: {@code -Dgntfs.fuzz.seeds=7} or a range {@code 1-50}; CI runs four. */
    static LongStream seeds() {
        String seeds = System.getProperty("gntfs.fuzz.seeds", "1-4");
        int dash = seeds.indexOf('-');
        return dash < 0
                ? LongStream.of(Long.parseLong(seeds))
                : LongStream.rangeClosed(Long.parseLong(seeds.substring(0, dash)), Long.parseLong(seeds.substring(dash + 1)));
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void aRandomSequence_givesWhatTmpfsGives_andLeaksNoGrant(long seed) throws Exception {
        ImmutableList<String> ops = new FsOpGenerator(seed).sequence(OPS);
        Path opsFile = FsExecutor.writeOps(work.resolve("ops-" + seed + ".jsonl"), ops);
        Path onGntfs = Files.createDirectory(gntfs.path("fuzz"));
        Path onTmpfs = Files.createDirectory(oracle.path().resolve("fuzz"));

        CompletableFuture<ImmutableList<String>> gntfsResults = CompletableFuture.supplyAsync(() -> FsExecutor.run(onGntfs, opsFile));
        ImmutableList<String> tmpfsResults = FsExecutor.run(onTmpfs, opsFile);

        compare(seed, ops, gntfsResults.get(), tmpfsResults);
        gntfs.awaitUnlinkedRegionsReleased();
        assertThat(gntfs.pagesOfLiveRegions()).as("pages of live regions vs grants taken").isEqualTo(gntfs.grantsInUse());
        assertGrantedPagesHoldWhatTmpfsHolds(onTmpfs);
        gntfs.unmount();
        assertThat(gntfs.grantsInUse()).as("grants after unmount").isZero();
    }

    /**
     * Every descriptor and mapping is closed, so every store has been written back: the granted
     * pages of each region, which a peer maps, must hold exactly the bytes of the file on tmpfs.
     * A region may lie one level above the tree, made through a symbolic link to "../x" that a
     * rename or a link brought to the top: the mount root and the oracle's directory mirror it.
     */
    private void assertGrantedPagesHoldWhatTmpfsHolds(Path onTmpfs) throws IOException {
        for (Region region : gntfs.tree().liveRegions()) {
            Path twin = onTmpfs.getParent().resolve(region.path().substring(1));
            assertThat(MountedGntfs.grantedBytes(region)).as("granted pages of %s", region.path())
                    .isEqualTo(Files.readAllBytes(twin));
        }
    }

    private static void compare(long seed, List<String> ops, List<String> onGntfs, List<String> onTmpfs) {
        for (int i = 0; i < Math.max(onGntfs.size(), onTmpfs.size()); i++) {
            String gntfsLine = i < onGntfs.size() ? onGntfs.get(i) : "(nothing)";
            String tmpfsLine = i < onTmpfs.size() ? onTmpfs.get(i) : "(nothing)";
            if (!TmpfsDifference.agree(gntfsLine, tmpfsLine)) {
                String what = i < ops.size() ? "operation " + i + ": " + ops.get(i) : "the final tree, line " + (i - ops.size());
                throw new AssertionError(String.join("\n",
                        "seed " + seed + ", " + what,
                        "  gntfs: " + gntfsLine,
                        "  tmpfs: " + tmpfsLine,
                        "operations up to it (replay: -Dgntfs.fuzz.seeds=" + seed + " -Dgntfs.fuzz.ops=" + ops.size() + "):",
                        String.join("\n", ops.subList(0, Math.min(i + 1, ops.size())))));
            }
        }
    }
}
