package org.gntfs.fuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.gntfs.Fault;
import org.gntfs.GntfsException;
import org.gntfs.region.Credentials;
import org.gntfs.region.OpenText;
import org.gntfs.region.Region;
import org.gntfs.region.RegionTree;
import org.gntfs.region.VirtualFile;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The open-file table: handles, what they hold, and their release. */
class OpenFilesTest {
    @RegisterExtension
    final InProcessFs inProcess = new InProcessFs(16);

    private final OpenFiles openFiles = new OpenFiles();
    private RegionTree tree;
    private Region region;

    @BeforeEach
    void createARegion() {
        tree = inProcess.tree();
        region = tree.create("/r", 0600, 0, 0);
        region.resize(4096, tree.now());
    }

    private static void assertFault(ThrowingCallable call, Fault fault) {
        assertThatThrownBy(call).isInstanceOfSatisfying(GntfsException.class, e -> assertThat(e.fault()).isEqualTo(fault));
    }

    @Test
    void eachOpen_getsANewHandle_thatHoldsTheRegionUntilReleased() {
        long first = openFiles.open(region);
        long second = openFiles.open(region);

        assertThat(first).isPositive();
        assertThat(second).isNotEqualTo(first);
        assertThat(openFiles.region(first)).isSameAs(region);
        assertThat(openFiles.get(second).node()).isSameAs(region);
        assertThat(region.isHeld()).isTrue();

        assertThat(openFiles.release(first)).isSameAs(region);
        assertThat(region.isHeld()).isTrue();
        assertThat(openFiles.release(second)).isSameAs(region);
        assertThat(region.isHeld()).isFalse();
    }

    @Test
    void aReleasedHandle_isNeverReused_andAnswersBadHandle() {
        long released = openFiles.open(region);
        openFiles.release(released);

        long next = openFiles.open(region);

        assertThat(next).isNotEqualTo(released);
        assertFault(() -> openFiles.get(released), Fault.BAD_HANDLE);
        assertFault(() -> openFiles.region(released), Fault.BAD_HANDLE);
        assertThat(openFiles.release(released)).isNull();
        assertThat(region.isHeld()).isTrue();
    }

    @Test
    void theLastHandleOfAnUnlinkedRegion_releasesItsGrants() {
        long handle = openFiles.open(region);
        tree.unlink("/r");
        assertThat(inProcess.grantsInUse()).isEqualTo(1);

        openFiles.release(handle);

        assertThat(region.isReleased()).isTrue();
        assertThat(inProcess.grantsInUse()).isZero();
        assertFault(() -> openFiles.open(region), Fault.NOT_FOUND);
    }

    @Test
    void aVirtualFilesHandle_keepsItsSnapshot_refusesWrites_andHoldsNothing() {
        VirtualFile report = (VirtualFile) tree.lookup("/.grants");
        OpenText text = report.open(false, Credentials.of(0, 0));
        long handle = openFiles.open(report, text);

        assertThat(openFiles.get(handle)).isEqualTo(new OpenFiles.SnapshotFile(report, text));
        assertFault(() -> openFiles.region(handle), Fault.NOT_PERMITTED);
        assertThat(openFiles.release(handle)).isNull();
        assertFault(() -> openFiles.get(handle), Fault.BAD_HANDLE);
    }
}
