package org.gntfs.region;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.collect.ImmutableSet;
import java.util.Arrays;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.gntfs.Fault;
import org.gntfs.GntfsException;
import org.gntfs.Limits;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Nodes with several names, symbolic links and special files in the tree, below the mount. */
class LinksTest {
    private static final int ROOT = 0;
    private static final int USER = 1000;
    private static final Credentials PRIVILEGED = new Credentials(ROOT, ROOT, ImmutableSet.of(), true);

    @RegisterExtension
    final SimulatedTree simulated = new SimulatedTree(16, 0, ROOT, ROOT, new Limits(8, 1 << 20, 1 << 20, 4));

    private RegionTree tree;

    @BeforeEach
    void takeTheTree() {
        tree = simulated.tree();
    }

    private static void assertFault(ThrowingCallable call, Fault fault) {
        assertThatThrownBy(call).isInstanceOfSatisfying(GntfsException.class, e -> assertThat(e.fault()).isEqualTo(fault));
    }

    private List<String> grantsLines(Credentials reader) {
        VirtualFile report = (VirtualFile) tree.lookup("/.grants");
        String[] lines = new String(report.open(false, reader).read(0, Integer.MAX_VALUE), UTF_8).split("\n");
        return Arrays.stream(lines).skip(1).map(line -> line.substring(0, line.indexOf('\t'))).toList();
    }

    @Test
    void aLink_namesTheSameRegion_withoutAnInodeAGrantOrACharge() {
        Region region = tree.create("/a", 0600, USER, USER);
        region.resize(4096, SimulatedTree.T0);
        long inodes = tree.inodesInUse();
        long grants = tree.usage().used();

        tree.mkdir("/d", 0755, ROOT, ROOT);
        tree.link(region, "/d/b");

        assertThat(tree.lookup("/d/b")).isSameAs(region);
        assertThat(region.links()).extracting(Node.Link::name).containsExactly("a", "b");
        assertThat(tree.inodesInUse()).isEqualTo(inodes + 1);
        assertThat(tree.usage().used()).isEqualTo(grants);
        assertThat(region.grefs().length()).isEqualTo(1);
    }

    @Test
    void theGrants_liveWhileAnyNameOrHolderDoes() {
        Region region = tree.create("/a", 0600, USER, USER);
        region.resize(3 * 4096, SimulatedTree.T0);
        tree.link(region, "/b");
        tree.link(region, "/c");

        tree.unlink("/a");
        tree.rename("/b", "/e");
        assertThat(region.isReleased()).isFalse();
        assertThat(region.path()).isEqualTo("/e");
        region.hold();
        tree.unlink("/e");
        tree.unlink("/c");
        assertThat(region.links()).isEmpty();
        assertThat(region.isReleased()).as("held open").isFalse();
        assertThat(tree.usage().used()).isEqualTo(3);

        region.unhold();

        assertThat(region.isReleased()).isTrue();
        assertThat(tree.usage().used()).isZero();
        assertThat(tree.liveRegions()).isEmpty();
        assertThat(tree.inodesInUse()).as("the root and .grants").isEqualTo(2);
    }

    @Test
    void directories_theReport_takenNames_andUnnamedNodes_cannotBeLinked() {
        Directory directory = tree.mkdir("/d", 0755, ROOT, ROOT);
        Region region = tree.create("/a", 0600, ROOT, ROOT);

        assertFault(() -> tree.link(directory, "/d2"), Fault.NOT_PERMITTED);
        assertFault(() -> tree.link(tree.lookup("/.grants"), "/g"), Fault.NOT_PERMITTED);
        assertFault(() -> tree.link(region, "/d"), Fault.ALREADY_EXISTS);
        assertFault(() -> tree.link(region, "/missing/a"), Fault.NOT_FOUND);
        region.hold();
        tree.unlink("/a");
        assertFault(() -> tree.link(region, "/back"), Fault.NOT_FOUND);
        assertThat(tree.list("/")).extracting(Directory.Entry::name).containsExactly(".grants", "d");
        region.unhold();
    }

    @Test
    void aRenameBetweenTwoNamesOfOneNode_doesNothing_andOverALinkedRegion_leavesItsOtherName() {
        Region first = tree.create("/a", 0600, ROOT, ROOT);
        tree.link(first, "/b");
        tree.rename("/a", "/b");
        assertThat(first.links()).extracting(Node.Link::name).containsExactly("a", "b");

        Region second = tree.create("/c", 0600, ROOT, ROOT);
        second.resize(1, SimulatedTree.T0);
        tree.link(second, "/keep");
        tree.rename("/a", "/c");

        assertThat(tree.lookup("/c")).isSameAs(first);
        assertThat(first.links()).extracting(Node.Link::name).containsExactly("c", "b");
        assertThat(second.links()).extracting(Node.Link::name).containsExactly("keep");
        assertThat(second.isReleased()).isFalse();
    }

    @Test
    void theReport_listsARegionOnce_byTheOldestNameItsReaderReaches() {
        tree.mkdir("/private", 0700, ROOT, ROOT);
        tree.mkdir("/public", 0755, ROOT, ROOT);
        Region region = tree.create("/private/z", 0644, ROOT, ROOT);
        tree.link(region, "/public/y");
        tree.link(region, "/a");
        Credentials user = new Credentials(USER, USER, ImmutableSet.of(), false);

        assertThat(grantsLines(PRIVILEGED)).containsExactly("/private/z");
        assertThat(grantsLines(user)).containsExactly("/public/y");

        tree.unlink("/private/z");
        assertThat(grantsLines(PRIVILEGED)).containsExactly("/public/y");
        tree.rename("/public/y", "/public/x");
        assertThat(grantsLines(user)).as("a rename keeps the name's age").containsExactly("/public/x");
    }

    @Test
    void aSymlink_keepsItsTargetByteForByte_andTakesAnInodeUntilItsLastName() {
        byte[] target = {'t', (byte) 0xff, '/', 'x'};
        long inodes = tree.inodesInUse();

        Symlink link = tree.symlink("/s", target, USER, USER);
        tree.link(link, "/s2");

        assertThat(link.target()).isEqualTo(target);
        assertThat(link.size()).isEqualTo(4);
        assertThat(link.permissions()).isEqualTo(0777);
        assertThat(tree.inodesInUse()).isEqualTo(inodes + 1);
        assertThat(tree.usage().used()).isZero();
        tree.unlink("/s");
        assertThat(tree.inodesInUse()).isEqualTo(inodes + 1);
        tree.unlink("/s2");
        assertThat(tree.inodesInUse()).isEqualTo(inodes);
        assertFault(() -> tree.symlink("/e", new byte[0], USER, USER), Fault.NOT_FOUND);
        assertFault(() -> tree.symlink("/long", new byte[4096], USER, USER), Fault.NAME_TOO_LONG);
        assertThat(tree.inodesInUse()).isEqualTo(inodes);
    }

    @Test
    void specialFiles_keepADeviceNumberOnlyForDevices_holdNoGrant_andCountAgainstTheInodes() {
        SpecialFile fifo = tree.mknod("/f", SpecialFile.Kind.FIFO, 0640, 0x0103, USER, USER);
        SpecialFile device = tree.mknod("/c", SpecialFile.Kind.CHARACTER_DEVICE, 0600, 0x0103, ROOT, ROOT);
        tree.mknod("/sock", SpecialFile.Kind.SOCKET, 0755, 0, USER, USER);

        assertThat(fifo.device()).isZero();
        assertThat(device.device()).isEqualTo(0x0103);
        assertThat(fifo.permissions()).isEqualTo(0640);
        assertThat(SpecialFile.Kind.of(0010644)).contains(SpecialFile.Kind.FIFO);
        assertThat(SpecialFile.Kind.of(0100644)).isEmpty();
        assertThat(tree.usage().used()).isZero();
        assertThat(grantsLines(PRIVILEGED)).isEmpty();
        // Limits of 8 inodes: the root, .grants and these three leave three.
        tree.mkdir("/d1", 0755, ROOT, ROOT);
        tree.mkdir("/d2", 0755, ROOT, ROOT);
        tree.symlink("/s", "x".getBytes(UTF_8), ROOT, ROOT);
        assertFault(() -> tree.mknod("/f2", SpecialFile.Kind.FIFO, 0600, 0, ROOT, ROOT), Fault.NO_SPACE);
        tree.link(fifo, "/f3");
        assertThat(tree.lookup("/f3")).isSameAs(fifo);
    }

    @Test
    void aRenameOverAnEmptyDirectory_givesItsInodeBack() {
        tree.mkdir("/a", 0755, ROOT, ROOT);
        tree.mkdir("/b", 0755, ROOT, ROOT);
        long inodes = tree.inodesInUse();

        tree.rename("/a", "/b");

        assertThat(tree.inodesInUse()).isEqualTo(inodes - 1);
    }

    @Test
    void theGrantQuota_isChargedOnce_however_manyNamesARegionHas() {
        Region region = tree.create("/a", 0600, USER, USER);
        tree.link(region, "/b");
        tree.link(region, "/c");
        region.resize(4 * 4096, SimulatedTree.T0);

        Region other = tree.create("/o", 0600, USER, USER);

        assertFault(() -> other.resize(1, SimulatedTree.T0), Fault.QUOTA_EXCEEDED);
        tree.unlink("/a");
        tree.unlink("/b");
        tree.unlink("/c");
        other.resize(4096, SimulatedTree.T0);
        assertThat(other.pages()).isEqualTo(1);
    }
}
