package org.gntfs.region;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.base.Strings;
import com.google.common.collect.ImmutableSet;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code .grants} lists regions in path order, at a cost linear in what it prints. */
class GrantsReportTest {
    private static final int ROOT = 0;
    private static final Credentials PRIVILEGED = new Credentials(ROOT, ROOT, ImmutableSet.of(), true);

    @RegisterExtension
    final SimulatedTree simulated = new SimulatedTree(64, 0, ROOT, ROOT);

    private RegionTree tree;

    @BeforeEach
    void takeTheTree() {
        tree = simulated.tree();
    }

    private List<String> paths() {
        VirtualFile report = (VirtualFile) tree.lookup("/.grants");
        String[] lines = new String(report.open(false, PRIVILEGED).read(0, Integer.MAX_VALUE), UTF_8).split("\n");
        return Arrays.stream(lines).skip(1).map(line -> line.substring(0, line.indexOf('\t'))).toList();
    }

    @Test
    void regions_areInTheOrderOfTheirPaths_evenWhereANameSortsBeforeItsOwnSubtree() {
        tree.mkdir("/a", 0755, ROOT, ROOT);
        tree.mkdir("/a/b", 0755, ROOT, ROOT);
        for (String path : List.of("/a/x", "/a-b", "/a.", "/a0", "/a/b/y", "/a/b-", "/b")) {
            tree.create(path, 0600, ROOT, ROOT);
        }
        tree.region("/b").hold();
        tree.unlink("/b");
        tree.create("/b", 0600, ROOT, ROOT);
        tree.region("/a0").hold();
        tree.unlink("/a0");

        List<String> expected = tree.liveRegions().stream()
                .map(region -> region.isLinked() ? region.path() : region.path() + " (deleted)")
                .toList();
        assertThat(expected).containsExactly(
                "/a-b", "/a.", "/a/b-", "/a/b/y", "/a/x", "/a0 (deleted)", "/b (deleted)", "/b");
        assertThat(paths()).isEqualTo(expected);
    }

    @Test
    void aDeepTreeOfLongNames_rendersInTimeLinearInItsText() {
        // The measured stall: 300 directories of 255-byte names, 200 regions at the bottom. Each
        // path is 77 KB; walking it again per region and per comparison took 13 s.
        StringBuilder path = new StringBuilder();
        for (int depth = 0; depth < 300; depth++) {
            path.append('/').append(Strings.padStart(Integer.toString(depth), RegionTree.NAME_MAX, 'd'));
            tree.mkdir(path.toString(), 0755, ROOT, ROOT);
        }
        for (int file = 0; file < 200; file++) {
            tree.create(path + "/" + file, 0600, ROOT, ROOT);
        }
        long started = System.nanoTime();
        List<String> paths = paths();
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(paths).hasSize(200).allSatisfy(listed -> assertThat(listed).startsWith(path + "/"));
        assertThat(took).as("15 MB of text").isLessThan(Duration.ofSeconds(2));
    }
}
