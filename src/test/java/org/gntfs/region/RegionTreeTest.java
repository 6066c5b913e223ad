package org.gntfs.region;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.collect.ImmutableSet;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.gntfs.Fault;
import org.gntfs.GntfsException;
import org.gntfs.grant.GrantPeer;
import org.gntfs.grant.sim.SimulatedGrantTable;
import org.gntfs.grant.sim.SimulatedPeer;
import org.gntfs.nativeio.Posix;
import org.gntfs.protocol.GrantsFile;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RegionTreeTest {
    private static final Instant T0 = SimulatedTree.T0;

    @RegisterExtension
    final SimulatedTree simulated = new SimulatedTree(16, 7, 0, 0);

    private SimulatedGrantTable table;
    private RegionTree tree;
    private Xattrs xattrs;

    @BeforeEach
    void createTree() {
        table = simulated.table();
        tree = simulated.tree();
        xattrs = new Xattrs(tree);
    }

    private static void assertFault(ThrowingCallable call, Fault fault) {
        assertThatThrownBy(call).isInstanceOfSatisfying(GntfsException.class, e -> assertThat(e.fault()).isEqualTo(fault));
    }

    private void write(Region region, long offset, String text) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(text.length()).put(text.getBytes(US_ASCII));
        region.write(offset, Posix.MEMORY.getDirectBufferAddress(buffer), text.length(), T0);
    }

    private String read(Region region, long offset, int length) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(length);
        int count = region.read(offset, Posix.MEMORY.getDirectBufferAddress(buffer), length);
        byte[] bytes = new byte[count];
        buffer.get(bytes);
        return new String(bytes, US_ASCII);
    }

    @Test
    void resize_grantsPagesForTheSizeAndKeepsTheGrefPrefix() {
        Region region = tree.create("/fb", 0600, 1000, 1000);
        region.resize(4097, T0);
        var first = region.grefs();

        region.resize(3 * 4096, T0);

        assertThat(region.pages()).isEqualTo(3);
        assertThat(region.grefs().subArray(0, 2)).isEqualTo(first);
        assertThat(table.usage().used()).isEqualTo(3);
    }

    @Test
    void shrink_releasesTheTailAndKeepsTheBytesThatStay() {
        Region region = tree.create("/fb", 0600, 0, 0);
        write(region, 0, "head");
        write(region, 2 * 4096 + 5, "tail");
        assertThat(table.usage().used()).isEqualTo(3);

        region.resize(4096 + 2, T0);

        assertThat(table.usage().used()).isEqualTo(2);
        assertThat(read(region, 0, 4)).isEqualTo("head");
        region.resize(3 * 4096, T0);
        assertThat(read(region, 2 * 4096 + 5, 4)).isEqualTo("\0\0\0\0");
    }

    @Test
    void shrinkWithinAPage_zeroesWhatAGrowRevealsAgain() {
        Region region = tree.create("/r", 0600, 0, 0);
        write(region, 0, "abcdef");
        region.resize(2, T0);
        region.resize(6, T0);
        assertThat(read(region, 0, 6)).isEqualTo("ab\0\0\0\0");
    }

    @Test
    void readStopsAtTheSize() {
        Region region = tree.create("/r", 0600, 0, 0);
        write(region, 0, "abc");
        assertThat(read(region, 1, 100)).isEqualTo("bc");
        assertThat(read(region, 3, 10)).isEmpty();
        assertThat(read(region, 5000, 10)).isEmpty();
    }

    @Test
    void grow_pastThePoolChangesNothing() {
        Region region = tree.create("/r", 0600, 0, 0);
        region.resize(10 * 4096, T0);

        assertFault(() -> region.resize(17 * 4096, T0), Fault.NO_SPACE);

        assertThat(region.size()).isEqualTo(10 * 4096);
        assertThat(region.grefs().length()).isEqualTo(10);
        assertThat(table.usage().used()).isEqualTo(10);
    }

    @Test
    void newRegionsTakeTheDirectoryDefaultsElseTheMountDomid() {
        tree.mkdir("/vm5", 0755, 0, 0);
        xattrs.set(tree.lookup("/vm5"), Xattrs.DOMID, "5".getBytes(US_ASCII), 0);
        xattrs.set(tree.lookup("/vm5"), Xattrs.WRITABLE, "0".getBytes(US_ASCII), 0);
        tree.mkdir("/vm5/sub", 0755, 0, 0);

        assertThat(tree.create("/top", 0600, 0, 0).domid()).isEqualTo(7);
        Region inside = tree.create("/vm5/ring", 0600, 0, 0);
        assertThat(inside.domid()).isEqualTo(5);
        assertThat(inside.writable()).isFalse();
        assertThat(tree.create("/vm5/sub/deeper", 0600, 0, 0).domid()).isEqualTo(5);
    }

    @Test
    void aDomidSetOnTheRoot_reachesRegionsInNewSubdirectories() {
        xattrs.set(tree.root(), Xattrs.DOMID, "9".getBytes(US_ASCII), 0);
        tree.mkdir("/sub", 0755, 0, 0);

        assertThat(tree.create("/sub/r", 0600, 0, 0).domid()).isEqualTo(9);
    }

    @Test
    void reservedGrantNames_areRefusedWhereTheyMeanNothing() {
        tree.mkdir("/d", 0755, 0, 0);
        Node directory = tree.lookup("/d");

        assertFault(() -> xattrs.set(directory, Xattrs.GREFS, "8".getBytes(US_ASCII), 0), Fault.NOT_PERMITTED);
        assertFault(() -> xattrs.set(directory, Xattrs.NOTIFY, "byte 0".getBytes(US_ASCII), 0), Fault.NOT_PERMITTED);
        assertFault(() -> xattrs.set(directory, "user.gnt.backend", "sim".getBytes(US_ASCII), 0), Fault.NOT_PERMITTED);
        xattrs.set(directory, "user.gnt.note", "mine".getBytes(US_ASCII), 0);
        assertThat(xattrs.list(directory)).containsExactly("user.gnt.note");
    }

    @Test
    void aRefusedNotify_leavesTheOldOneArmed() throws IOException {
        Region region = tree.create("/r", 0600, 0, 0);
        region.resize(8, T0);
        write(region, 5, "x");
        xattrs.set(region, Xattrs.NOTIFY, "byte 5".getBytes(US_ASCII), 0);

        assertFault(() -> xattrs.set(region, Xattrs.NOTIFY, "byte 5 event 5000".getBytes(US_ASCII), 0),
                Fault.INVALID_ARGUMENT);

        assertThat(new String(xattrs.get(region, Xattrs.NOTIFY), US_ASCII)).isEqualTo("byte 5");
        try (SimulatedPeer peer = SimulatedPeer.attach(table.tablePath());
                GrantPeer.PeerPage page = peer.map(7, region.grefs().get(0), false)) {
            tree.unlink("/r");
            assertThat(page.read(5, 1)).containsExactly(0);
        }
    }

    @Test
    void grantSettings_areFixedOncePagesExist() {
        Region region = tree.create("/r", 0600, 0, 0);
        xattrs.set(region, Xattrs.DOMID, "3\n".getBytes(US_ASCII), 0);
        region.resize(1, T0);

        assertFault(() -> xattrs.set(region, Xattrs.DOMID, "4".getBytes(US_ASCII), 0), Fault.BUSY);
        assertFault(() -> xattrs.set(region, Xattrs.WRITABLE, "0".getBytes(US_ASCII), 0), Fault.BUSY);
        assertThat(new String(xattrs.get(region, Xattrs.DOMID), US_ASCII)).isEqualTo("3");
    }

    @Test
    void badGrantValuesAreInvalid() {
        Region region = tree.create("/r", 0600, 0, 0);
        for (String bad : new String[] {"", "-1", "32752", "99999999999", "0x5", " 5"}) {
            assertFault(() -> xattrs.set(region, Xattrs.DOMID, bad.getBytes(US_ASCII), 0), Fault.INVALID_ARGUMENT);
        }
        assertFault(() -> xattrs.set(region, Xattrs.WRITABLE, "yes".getBytes(US_ASCII), 0), Fault.INVALID_ARGUMENT);
        assertFault(() -> xattrs.set(region, Xattrs.GREFS, "8".getBytes(US_ASCII), 0), Fault.NOT_PERMITTED);
        xattrs.set(region, Xattrs.DOMID, "32751".getBytes(US_ASCII), 0);
    }

    @Test
    void notify_parsesBothFormsAndStaysInsideTheRegion() {
        Region region = tree.create("/r", 0600, 0, 0);
        assertFault(() -> xattrs.set(region, Xattrs.NOTIFY, "byte 0".getBytes(US_ASCII), 0), Fault.INVALID_ARGUMENT);
        region.resize(5000, T0);

        xattrs.set(region, Xattrs.NOTIFY, "event 9 byte 4100".getBytes(US_ASCII), 0);
        assertThat(new String(xattrs.get(region, Xattrs.NOTIFY), US_ASCII)).isEqualTo("byte 4100 event 9");

        assertFault(() -> xattrs.set(region, Xattrs.NOTIFY, "byte 5000".getBytes(US_ASCII), 0), Fault.INVALID_ARGUMENT);
        assertFault(() -> xattrs.set(region, Xattrs.NOTIFY, "byte".getBytes(US_ASCII), 0), Fault.INVALID_ARGUMENT);
        assertFault(() -> xattrs.set(region, Xattrs.NOTIFY, "byte 1 byte 2".getBytes(US_ASCII), 0), Fault.INVALID_ARGUMENT);
        assertFault(() -> xattrs.set(region, Xattrs.NOTIFY, "word 1".getBytes(US_ASCII), 0), Fault.INVALID_ARGUMENT);

        region.resize(4096, T0);
        assertThat(xattrs.get(region, Xattrs.NOTIFY)).isEmpty();
    }

    @Test
    void userAttributes_areStoredWithinBounds() {
        Region region = tree.create("/r", 0600, 0, 0);
        xattrs.set(region, "user.colour", "blue".getBytes(US_ASCII), Xattrs.XATTR_CREATE);

        assertFault(() -> xattrs.set(region, "user.colour", new byte[1], Xattrs.XATTR_CREATE), Fault.ALREADY_EXISTS);
        assertFault(() -> xattrs.set(region, "user.shape", new byte[1], Xattrs.XATTR_REPLACE), Fault.NO_SUCH_ATTRIBUTE);
        assertFault(() -> xattrs.set(region, "user.big", new byte[65537], 0), Fault.TOO_BIG);
        xattrs.set(region, "user.a", new byte[40000], 0);
        assertFault(() -> xattrs.set(region, "user.b", new byte[40000], 0), Fault.NO_SPACE);
        assertFault(() -> xattrs.set(region, "trusted.x", new byte[1], 0), Fault.NOT_SUPPORTED);
        assertFault(() -> xattrs.get(region, "security.capability"), Fault.NO_SUCH_ATTRIBUTE);

        assertThat(xattrs.list(region))
                .containsExactly(Xattrs.DOMID, Xattrs.WRITABLE, Xattrs.GREFS, Xattrs.NOTIFY, "user.colour", "user.a");
        xattrs.remove(region, "user.a");
        xattrs.set(region, "user.b", new byte[40000], 0);
    }

    @Test
    void unlink_ofAHeldRegionKeepsItsGrantsUntilTheLastHolderGoes() {
        Region region = tree.create("/r", 0600, 0, 0);
        region.resize(8192, T0);
        region.hold();
        region.hold();

        tree.unlink("/r");

        assertFault(() -> tree.lookup("/r"), Fault.NOT_FOUND);
        assertThat(tree.liveRegions()).containsExactly(region);
        region.unhold();
        assertThat(table.usage().used()).isEqualTo(2);
        region.unhold();
        assertThat(table.usage().used()).isZero();
        assertThat(tree.liveRegions()).isEmpty();
    }

    @Test
    void aRegionFoundJustBeforeItWasUnlinked_isNotFound_notBroken() {
        Region region = tree.create("/r", 0600, 0, 0);
        region.resize(4096, T0);

        tree.unlink("/r");

        assertFault(region::hold, Fault.NOT_FOUND);
        assertFault(() -> region.resize(8192, T0), Fault.NOT_FOUND);
        assertThat(table.usage().used()).isZero();
    }

    @Test
    void rename_keepsTheGrefsAndReplacesATargetRegion() {
        Region moving = tree.create("/a", 0600, 0, 0);
        moving.resize(4096, T0);
        Region replaced = tree.create("/b", 0600, 0, 0);
        replaced.resize(4096, T0);
        var grefs = moving.grefs();
        tree.mkdir("/d", 0755, 0, 0);

        tree.rename("/a", "/d/b");
        tree.rename("/d/b", "/b");

        assertThat(tree.region("/b")).isSameAs(moving);
        assertThat(moving.grefs()).isEqualTo(grefs);
        assertThat(table.usage().used()).isEqualTo(1);
        assertThat(moving.path()).isEqualTo("/b");
    }

    @Test
    void rename_followsPosixRules() {
        tree.mkdir("/d", 0755, 0, 0);
        tree.mkdir("/d/e", 0755, 0, 0);
        tree.mkdir("/full", 0755, 0, 0);
        tree.create("/full/x", 0600, 0, 0);
        tree.create("/f", 0600, 0, 0);

        assertFault(() -> tree.rename("/d", "/d/e/inside"), Fault.INVALID_ARGUMENT);
        assertFault(() -> tree.rename("/f", "/d"), Fault.IS_A_DIRECTORY);
        assertFault(() -> tree.rename("/d", "/f"), Fault.NOT_A_DIRECTORY);
        assertFault(() -> tree.rename("/d", "/full"), Fault.DIRECTORY_NOT_EMPTY);
        assertFault(() -> tree.rename("/missing", "/m"), Fault.NOT_FOUND);
        tree.rename("/d/e", "/e");
        tree.rename("/d", "/e");
        assertThat(tree.list("/").stream().map(Directory.Entry::name)).containsExactly(".grants", "e", "f", "full");
    }

    @Test
    void namespaceErrors() {
        tree.create("/f", 0600, 0, 0);
        tree.mkdir("/d", 0755, 0, 0);
        tree.create("/d/x", 0600, 0, 0);

        assertFault(() -> tree.create("/f", 0600, 0, 0), Fault.ALREADY_EXISTS);
        assertFault(() -> tree.create("/" + "n".repeat(256), 0600, 0, 0), Fault.NAME_TOO_LONG);
        assertFault(() -> tree.create("/f/x", 0600, 0, 0), Fault.NOT_A_DIRECTORY);
        assertFault(() -> tree.rmdir("/d"), Fault.DIRECTORY_NOT_EMPTY);
        assertFault(() -> tree.rmdir("/f"), Fault.NOT_A_DIRECTORY);
        assertFault(() -> tree.unlink("/d"), Fault.IS_A_DIRECTORY);
        assertFault(() -> tree.rmdir("/"), Fault.BUSY);
        assertFault(() -> tree.create("/a\uFFFD", 0600, 0, 0), Fault.NAME_NOT_UTF8);
        assertFault(() -> tree.lookup("/d/\uFFFD/x"), Fault.NAME_NOT_UTF8);
        tree.create("/" + "n".repeat(255), 0600, 0, 0);
    }

    @Test
    void ownershipAndTimes() {
        Region region = tree.create("/f", 0640, 1000, 100);
        tree.chown(region, -1, 50);
        tree.chmod(region, 0604);
        tree.setTimes(region, Instant.ofEpochSecond(10), Instant.ofEpochSecond(20));

        assertThat(region.uid()).isEqualTo(1000);
        assertThat(region.gid()).isEqualTo(50);
        assertThat(region.permissions()).isEqualTo(0604);
        assertThat(region.accessed()).isEqualTo(Instant.ofEpochSecond(10));
        assertThat(region.modified()).isEqualTo(Instant.ofEpochSecond(20));
        assertThat(region.changed()).isEqualTo(T0);
    }

    @Test
    void aSetGroupIdDirectory_givesNewNodesItsGroup_andNewDirectoriesTheBit() {
        tree.mkdir("/shared", 02775, 0, 50);
        tree.mkdir("/plain", 0755, 0, 50);

        Region region = tree.create("/shared/r", 0640, 1000, 1000);
        Directory sub = tree.mkdir("/shared/sub", 0755, 1000, 1000);
        Region elsewhere = tree.create("/plain/r", 0640, 1000, 1000);

        assertThat(region.gid()).isEqualTo(50);
        assertThat(region.permissions()).isEqualTo(0640);
        assertThat(sub.gid()).isEqualTo(50);
        assertThat(sub.permissions()).isEqualTo(02755);
        assertThat(elsewhere.gid()).isEqualTo(1000);
    }

    @Test
    void aDirectoryLinkCount_countsItsSubdirectoriesAsOnTmpfs() {
        Directory d = tree.mkdir("/d", 0755, 0, 0);
        tree.mkdir("/d/a", 0755, 0, 0);
        tree.mkdir("/d/b", 0755, 0, 0);
        tree.create("/d/r", 0600, 0, 0);
        assertThat(d.linkCount()).isEqualTo(4);

        tree.rename("/d/a", "/a");
        tree.rmdir("/d/b");

        assertThat(d.linkCount()).isEqualTo(2);
        assertThat(tree.root().linkCount()).isEqualTo(4);
    }

    @Test
    void report_listsLiveRegionsWithRuns() throws IOException {
        Region a = tree.create("/a", 0600, 0, 0);
        a.resize(3 * 4096, T0);
        tree.mkdir("/d", 0755, 0, 0);
        Region b = tree.create("/d/b\tc", 0600, 0, 0);
        b.setWritable(false);
        b.resize(1, T0);
        b.hold();
        tree.unlink("/d/b\tc");

        String report = grantsReport(tree);

        assertThat(report).isEqualTo("path\tdomid\tpages\taccess\tdirect\tgrefs\n"
                + "/a\t7\t3\trw\t0\t8-10\n"
                + "/b\\011c (deleted)\t7\t1\tro\t0\t11\n");
        assertThat(GrantsFile.parse(report)).extracting(GrantsFile.Line::path).containsExactly("/a", "/b\tc (deleted)");
        b.unhold();
    }

    /** The text of .grants, as a reader who may search every directory sees it. */
    private static String grantsReport(RegionTree tree) {
        return new String(((VirtualFile) tree.lookup("/.grants")).open(false, new Credentials(0, 0, ImmutableSet.of(), true)).read(0, Integer.MAX_VALUE),
                UTF_8);
    }
}
