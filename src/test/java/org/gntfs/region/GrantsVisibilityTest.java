package org.gntfs.region;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.collect.ImmutableSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code .grants} shows each reader the regions it could find by walking the tree, and no others. */
class GrantsVisibilityTest {
    private static final int ROOT = 0;
    private static final int NOBODY = 65534;
    private static final int GROUP = 4242;
    private static final Credentials PRIVILEGED = new Credentials(ROOT, ROOT, ImmutableSet.of(), true);
    private static final Credentials NOBODY_ALONE = Credentials.of(NOBODY, NOBODY);

    @RegisterExtension
    final SimulatedTree simulated = new SimulatedTree(16, 0, ROOT, ROOT);

    private RegionTree tree;
    private VirtualFile report;

    @BeforeEach
    void createRegionsBehindEveryKindOfDirectory() {
        tree = simulated.tree();
        report = (VirtualFile) tree.lookup("/.grants");
        tree.create("/open", 0600, ROOT, ROOT);
        for (String[] directory : new String[][] {{"/closed", "700"}, {"/searchable", "711"}, {"/group", "710"}}) {
            tree.mkdir(directory[0], Integer.parseInt(directory[1], 8), ROOT, GROUP);
            tree.create(directory[0] + "/x", 0600, ROOT, ROOT);
        }
        tree.mkdir("/searchable/closed", 0700, ROOT, ROOT);
        tree.create("/searchable/closed/y", 0600, ROOT, ROOT);
    }

    private List<String> pathsSeenBy(Credentials reader) {
        String[] lines = new String(report.open(false, reader).read(0, Integer.MAX_VALUE), UTF_8).split("\n");
        return Arrays.stream(lines).skip(1).map(line -> line.substring(0, line.indexOf('\t'))).toList();
    }

    @Test
    void aReader_seesWhatItCouldReachByName_andNothingBehindADirectoryItCannotSearch() {
        assertThat(pathsSeenBy(NOBODY_ALONE)).containsExactly("/open", "/searchable/x");
        assertThat(pathsSeenBy(new Credentials(NOBODY, NOBODY, ImmutableSet.of(GROUP), false)))
                .as("a supplementary group").containsExactly("/group/x", "/open", "/searchable/x");
        assertThat(pathsSeenBy(Credentials.of(NOBODY, GROUP)))
                .as("the primary group").containsExactly("/group/x", "/open", "/searchable/x");
        assertThat(pathsSeenBy(PRIVILEGED))
                .containsExactly("/closed/x", "/group/x", "/open", "/searchable/closed/y", "/searchable/x");
    }

    @Test
    void theOwnersBits_areTheOwnersOnly_evenWhereOthersMaySearch() {
        tree.chmod(tree.lookup("/searchable"), 0071);
        tree.chown(tree.lookup("/searchable"), NOBODY, ROOT);

        assertThat(pathsSeenBy(NOBODY_ALONE)).containsExactly("/open");
        assertThat(pathsSeenBy(Credentials.of(ROOT, ROOT))).as("uid 0 without capabilities").containsExactly("/closed/x",
                "/group/x", "/open", "/searchable/closed/y", "/searchable/x");
    }

    @Test
    void anUnlinkedRegion_isShownToItsOwnerAndThePrivileged_only() {
        Region mine = tree.create("/mine", 0600, NOBODY, NOBODY);
        tree.create("/other", 0644, 1000, 1000);
        mine.hold();
        tree.region("/other").hold();
        tree.unlink("/mine");
        tree.unlink("/other");

        assertThat(pathsSeenBy(NOBODY_ALONE)).containsExactly("/mine (deleted)", "/open", "/searchable/x");
        assertThat(pathsSeenBy(Credentials.of(ROOT, ROOT))).doesNotContain("/mine (deleted)", "/other (deleted)");
        assertThat(pathsSeenBy(PRIVILEGED)).contains("/mine (deleted)", "/other (deleted)");
    }

    @Test
    void theCredentialsOfACaller_areReadFromProc_andWhatProcCannotConfirmIsNotGranted() throws IOException {
        long self = ProcessHandle.current().pid();
        String status = Files.readString(Path.of("/proc/self/status"));
        int uid = Integer.parseInt(status.replaceAll("(?s).*\nUid:\\s+\\d+\\s+\\d+\\s+\\d+\\s+(\\d+).*", "$1"));
        int gid = Integer.parseInt(status.replaceAll("(?s).*\nGid:\\s+\\d+\\s+\\d+\\s+\\d+\\s+(\\d+).*", "$1"));

        Credentials mine = Credentials.ofCaller(uid, gid, self);

        assertThat(mine.uid()).isEqualTo(uid);
        assertThat(Credentials.ofCaller(uid + 1, gid, self)).as("ids other than the request's").isEqualTo(Credentials.of(uid + 1, gid));
        assertThat(Credentials.ofCaller(uid, gid, 0)).as("no thread id").isEqualTo(Credentials.of(uid, gid));
        assertThat(Credentials.ofCaller(uid, gid, Integer.MAX_VALUE)).as("a thread gone").isEqualTo(Credentials.of(uid, gid));
    }
}
