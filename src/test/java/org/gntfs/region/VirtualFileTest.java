package org.gntfs.region;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.gntfs.Fault;
import org.gntfs.GntfsException;
import org.gntfs.protocol.GrantsFile;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code .grants} is a node of the tree that refuses every change itself, with EPERM. */
class VirtualFileTest {
    private static final Instant T0 = SimulatedTree.T0;
    private static final Credentials A_READER = Credentials.of(0, 0);

    @RegisterExtension
    final SimulatedTree simulated = new SimulatedTree(16, 0, 10, 20);

    private RegionTree tree;
    private Xattrs xattrs;
    private VirtualFile report;

    @BeforeEach
    void findTheReport() {
        tree = simulated.tree();
        xattrs = new Xattrs(tree);
        report = (VirtualFile) tree.lookup("/.grants");
    }

    private static void assertFault(ThrowingCallable call, Fault fault) {
        assertThatThrownBy(call).isInstanceOfSatisfying(GntfsException.class, e -> assertThat(e.fault()).isEqualTo(fault));
    }

    @Test
    void isAReadOnlyFileOfTheRoot_listedThere_andOwnedAsTheRootIs() {
        assertThat(tree.list("/")).containsExactly(new Directory.Entry(".grants", report));
        assertThat(report.permissions()).isEqualTo(0444);
        assertThat(report.uid()).isEqualTo(10);
        assertThat(report.gid()).isEqualTo(20);
        assertThat(report.path()).isEqualTo("/.grants");
    }

    @Test
    void anOpen_takesASnapshotOfTheReport_andAnOpenForWritingIsRefused() {
        tree.create("/a", 0600, 0, 0).resize(4096, T0);

        byte[] snapshot = report.open(false, A_READER).read(0, Integer.MAX_VALUE);
        tree.create("/b", 0600, 0, 0);

        assertThat(new String(snapshot, UTF_8)).isEqualTo(GrantsFile.HEADER + "\n/a\t0\t1\trw\t0\t8\n");
        assertThat(new String(report.open(false, A_READER).read(0, Integer.MAX_VALUE), UTF_8)).contains("/b\t");
        assertFault(() -> report.open(true, A_READER), Fault.ACCESS_DENIED);
    }

    @Test
    void everyChange_isRefusedWithNotPermitted() {
        tree.create("/r", 0600, 0, 0);
        Instant later = T0.plusSeconds(60);

        assertFault(() -> tree.chmod(report, 0666), Fault.NOT_PERMITTED);
        assertFault(() -> tree.chown(report, 0, 0), Fault.NOT_PERMITTED);
        assertFault(() -> tree.setTimes(report, later, later), Fault.NOT_PERMITTED);
        assertFault(() -> RegionTree.asRegion(report, "/.grants").resize(0, T0), Fault.NOT_PERMITTED);
        assertFault(() -> tree.unlink("/.grants"), Fault.NOT_PERMITTED);
        assertFault(() -> tree.rename("/.grants", "/moved"), Fault.NOT_PERMITTED);
        assertFault(() -> tree.rename("/r", "/.grants"), Fault.NOT_PERMITTED);
        assertFault(() -> xattrs.set(report, "user.note", new byte[] {1}, 0), Fault.NOT_PERMITTED);
        assertFault(() -> xattrs.set(report, "security.x", new byte[] {1}, 0), Fault.NOT_PERMITTED);
        assertFault(() -> xattrs.remove(report, "user.note"), Fault.NOT_PERMITTED);
        assertFault(() -> tree.create("/.grants", 0600, 0, 0), Fault.ALREADY_EXISTS);

        assertThat(report.permissions()).isEqualTo(0444);
        assertThat(report.modified()).isEqualTo(T0);
        assertThat(tree.lookup("/.grants")).isSameAs(report);
        assertThat(tree.lookup("/r")).isInstanceOf(Region.class);
    }

    @Test
    void hasNoAttributes() {
        assertThat(xattrs.list(report)).isEmpty();
        assertFault(() -> xattrs.get(report, "user.gnt.domid"), Fault.NO_SUCH_ATTRIBUTE);
    }

    @Test
    void aNameDotGrantsBelowTheRoot_isAnOrdinaryName() {
        tree.mkdir("/d", 0755, 0, 0);
        Region region = tree.create("/d/.grants", 0600, 0, 0);

        tree.chmod(region, 0640);
        tree.unlink("/d/.grants");

        assertThat(tree.list("/d")).isEmpty();
    }
}
