package org.gntfs.direct;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.collect.ImmutableMap;
import java.io.IOException;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.List;
import org.gntfs.Fault;
import org.gntfs.GntfsException;
import org.gntfs.Limits;
import org.gntfs.grant.sim.SimulatedGrantTable;
import org.gntfs.nativeio.UnixSocket.Credentials;
import org.gntfs.region.RegionTree;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The socket's access decisions, as the kernel's default_permissions would make them for an open. */
class AccessCheckTest {
    private static final int OWNER = 1000;
    private static final int GROUP = 3000;

    @TempDir
    Path directory;

    private SimulatedGrantTable table;
    private RegionTree tree;

    @BeforeEach
    void createTree() throws IOException {
        table = SimulatedGrantTable.create(directory, 4);
        tree = new RegionTree(table, InstantSource.system(), 0, 0, 0, ImmutableMap.of("backend", "sim"), Limits.DEFAULTS);
        tree.create("/group-rw", 0660, OWNER, GROUP);
        tree.create("/group-r", 0640, OWNER, GROUP);
        tree.create("/others-r", 0604, OWNER, GROUP);
        tree.create("/owner-none", 0077, OWNER, GROUP);
        tree.mkdir("/private", 0700, OWNER, GROUP);
        tree.create("/private/open", 0666, OWNER, GROUP);
        tree.mkdir("/group-search", 0710, OWNER, GROUP);
        tree.create("/group-search/open", 0666, OWNER, GROUP);
    }

    @AfterEach
    void release() {
        tree.releaseAll();
        table.close();
    }

    private static Credentials user(int uid, int gid, Integer... groups) {
        return new Credentials(4242, uid, gid, List.of(groups));
    }

    private String resolve(Credentials who, String path, boolean write) {
        return AccessCheck.resolve(who, tree, path, write).path();
    }

    private void assertRefused(Credentials who, String path, boolean write, Fault fault) {
        assertThatThrownBy(() -> AccessCheck.resolve(who, tree, path, write))
                .isInstanceOfSatisfying(GntfsException.class, e -> assertThat(e.fault()).isEqualTo(fault));
    }

    @Test
    void aSupplementaryGroup_getsTheGroupsBits() {
        Credentials member = user(2000, 2000, 17, GROUP);

        assertThat(resolve(member, "/group-rw", true)).isEqualTo("/group-rw");
        assertThat(resolve(member, "/group-r", false)).isEqualTo("/group-r");
        assertRefused(member, "/group-r", true, Fault.ACCESS_DENIED);
        assertThat(resolve(member, "/group-search/open", true)).isEqualTo("/group-search/open");
    }

    @Test
    void withoutTheGroup_theOthersBitsDecide() {
        Credentials stranger = user(2000, 2000, 17);

        assertRefused(stranger, "/group-rw", false, Fault.ACCESS_DENIED);
        assertRefused(stranger, "/group-search/open", false, Fault.ACCESS_DENIED);
        assertThat(resolve(stranger, "/others-r", false)).isEqualTo("/others-r");
        assertRefused(stranger, "/others-r", true, Fault.ACCESS_DENIED);
    }

    @Test
    void thePrimaryGroup_getsTheGroupsBits() {
        assertThat(resolve(user(2000, GROUP), "/group-rw", true)).isEqualTo("/group-rw");
    }

    @Test
    void theOwnersBits_decideForTheOwner_evenWhenTheGroupsWouldGrantMore() {
        assertRefused(user(OWNER, GROUP, GROUP), "/owner-none", false, Fault.ACCESS_DENIED);
        assertThat(resolve(user(2000, GROUP), "/owner-none", true)).isEqualTo("/owner-none");
    }

    @Test
    void aDirectoryThatCannotBeSearched_hidesEvenWhetherANameIsInIt() {
        Credentials stranger = user(2000, 2000);

        assertRefused(stranger, "/private/open", false, Fault.ACCESS_DENIED);
        assertRefused(stranger, "/private/missing", false, Fault.ACCESS_DENIED);
        assertRefused(user(OWNER, OWNER), "/private/missing", false, Fault.NOT_FOUND);
    }

    @Test
    void rootPassesEveryCheck() {
        Credentials root = user(0, 0);

        assertThat(resolve(root, "/owner-none", true)).isEqualTo("/owner-none");
        assertThat(resolve(root, "/private/open", true)).isEqualTo("/private/open");
    }

    @Test
    void whatIsNoRegion_getsTheErrnoAnOpenWouldGet() {
        Credentials root = user(0, 0);

        assertRefused(root, "/missing", false, Fault.NOT_FOUND);
        assertRefused(root, "/private", false, Fault.IS_A_DIRECTORY);
        assertRefused(root, "/", false, Fault.IS_A_DIRECTORY);
        assertRefused(root, "/group-r/below", false, Fault.NOT_A_DIRECTORY);
    }
}
