package org.gntfs.region;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.gntfs.Fault;
import org.gntfs.GntfsException;
import org.gntfs.Limits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What each uid takes is charged before it is taken, moves with chown and comes back when freed.
 * An attribute is charged its name, a NUL, its value and 128 bytes.
 */
class TreeLimitsTest {
    private static final Instant NOW = Instant.EPOCH;
    private static final int ALICE = 1000;
    private static final int BOB = 1001;

    @RegisterExtension
    final SimulatedTree simulated = new SimulatedTree(64, 0, 0, 0, new Limits(6, 1 << 20, 1000, 4));

    private static void assertFault(Runnable call, Fault fault) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(GntfsException.class, e -> assertThat(e.fault()).isEqualTo(fault));
    }

    @Test
    void grants_pastTheQuota_areRefusedWhole_andComeBackWithTheRelease() {
        RegionTree tree = simulated.tree();
        Region mine = tree.create("/mine", 0600, ALICE, ALICE);
        Region more = tree.create("/more", 0600, ALICE, ALICE);
        mine.resize(3 * 4096, NOW);

        assertFault(() -> more.resize(2 * 4096, NOW), Fault.QUOTA_EXCEEDED);
        assertThat(more.pages()).isZero();
        more.resize(4096, NOW);
        tree.chown(more, BOB, -1);
        mine.resize(4 * 4096, NOW);
        assertFault(() -> more.resize(5 * 4096, NOW), Fault.QUOTA_EXCEEDED);
        tree.unlink("/more");
        tree.create("/bobs", 0600, BOB, BOB).resize(4 * 4096, NOW);
        assertThat(tree.usage().used()).isEqualTo(8);
    }

    @Test
    void attributes_moveWithChown_whenTheNewOwnerHasRoom() {
        RegionTree tree = simulated.tree();
        Xattrs xattrs = new Xattrs(tree);
        Region alices = tree.create("/a", 0600, ALICE, ALICE);
        Region bobs = tree.create("/b", 0600, BOB, BOB);
        xattrs.set(alices, "user.x", new byte[500], 0);
        xattrs.set(bobs, "user.y", new byte[500], 0);

        assertFault(() -> xattrs.set(alices, "user.z", new byte[300], 0), Fault.QUOTA_EXCEEDED);
        assertFault(() -> tree.chown(alices, BOB, -1), Fault.QUOTA_EXCEEDED);
        assertThat(alices.uid()).isEqualTo(ALICE);
        xattrs.remove(bobs, "user.y");
        tree.chown(alices, BOB, -1);
        xattrs.set(bobs, "user.y", new byte[100], 0);
        assertFault(() -> xattrs.set(bobs, "user.w", new byte[100], 0), Fault.QUOTA_EXCEEDED);
    }

    @Test
    void inodes_pastTheLimit_giveEnospc_andComeBackWithRmdirAndRelease() {
        RegionTree tree = simulated.tree();
        tree.mkdir("/d", 0755, ALICE, ALICE);
        tree.create("/d/r", 0600, ALICE, ALICE);
        tree.create("/s", 0600, ALICE, ALICE);
        tree.create("/t", 0600, ALICE, ALICE);

        assertThat(tree.inodesInUse()).isEqualTo(6);
        assertFault(() -> tree.mkdir("/e", 0755, ALICE, ALICE), Fault.NO_SPACE);
        assertFault(() -> tree.create("/u", 0600, ALICE, ALICE), Fault.NO_SPACE);
        assertFault(() -> tree.lookup("/u"), Fault.NOT_FOUND);
        tree.unlink("/d/r");
        tree.rmdir("/d");
        tree.create("/u", 0600, ALICE, ALICE);
        tree.mkdir("/e", 0755, ALICE, ALICE);
        assertThat(tree.inodesInUse()).isEqualTo(6);
    }
}
