package org.gntfs.grant.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.gntfs.Fault;
import org.gntfs.GntfsException;
import org.gntfs.grant.GrantAllocation;
import org.gntfs.grant.GrantPeer;
import org.gntfs.grant.UnmapNotify;
import org.gntfs.nativeio.Posix;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimulatedGrantTableTest {
    @TempDir
    Path directory;

    private SimulatedGrantTable table;
    private SimulatedPeer peer;

    @BeforeEach
    void createTable() throws IOException {
        table = SimulatedGrantTable.create(directory, 8);
        peer = SimulatedPeer.attach(table.tablePath());
    }

    @AfterEach
    void closeTable() {
        peer.close();
        table.close();
    }

    @Test
    void filesAreOwnerOnlyAndGoneAfterClose() throws IOException {
        Path tablePath = table.tablePath();
        Path frames = TableLayout.framesFileOf(tablePath);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tablePath))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(frames))).isEqualTo("rw-------");

        peer.close();
        table.close();

        assertThat(tablePath).doesNotExist();
        assertThat(frames).doesNotExist();
    }

    @Test
    void allocate_grantsZeroedPagesAboveTheReservedRefs() {
        GrantAllocation pages = table.allocate(3, true, 2);

        assertThat(pages.grefs().asList()).containsExactly(8, 9);
        assertThat(table.usage().used()).isEqualTo(2);
        try (GrantPeer.PeerPage page = peer.map(3, 9, true)) {
            assertThat(page.read(0, 4096)).containsOnly(0);
            page.write(10, "peer".getBytes(StandardCharsets.US_ASCII));
        }
        assertThat(Posix.MEMORY.getByte(pages.pageAddress(1) + 10)).isEqualTo((byte) 'p');
    }

    @Test
    void allocate_isAllOrNothing() {
        table.allocate(0, true, 6);

        assertThatThrownBy(() -> table.allocate(0, true, 3))
                .isInstanceOfSatisfying(GntfsException.class, e -> assertThat(e.fault()).isEqualTo(Fault.NO_SPACE));
        assertThat(table.usage().used()).isEqualTo(6);
        assertThat(table.allocate(0, true, 2).pages()).isEqualTo(2);
    }

    @Test
    void release_ofASubRangeFreesExactlyThoseRefs() {
        GrantAllocation pages = table.allocate(0, true, 4);

        table.release(pages, 2, 2);

        assertThat(table.usage().used()).isEqualTo(2);
        assertThatThrownBy(() -> peer.map(0, 10, false)).hasMessageContaining("not granted");
        peer.map(0, 9, false).close();
    }

    @Test
    void peer_refusesOtherDomainsAndWritesToReadOnlyGrants() {
        table.allocate(5, false, 1);

        assertThatThrownBy(() -> peer.map(6, 8, false)).hasMessage("gref 8 is granted to domain 5, not to domain 6");
        assertThatThrownBy(() -> peer.map(5, 8, true)).hasMessage("gref 8 is a read-only grant");
        assertThatThrownBy(() -> peer.map(5, 3, false)).hasMessageContaining("not granted");
        assertThatThrownBy(() -> peer.map(5, 99, false)).hasMessageContaining("not granted");
        peer.map(5, 8, false).close();
    }

    @Test
    void release_firesTheNotifyByteThenEvent() {
        GrantAllocation pages = table.allocate(0, true, 1);
        Posix.MEMORY.putByte(pages.pageAddress(0) + 100, (byte) 7);
        table.setUnmapNotify(pages, 0, new UnmapNotify(100, 42));

        try (GrantPeer.PeerPage page = peer.map(0, 8, false)) {
            table.release(pages, 0, 1);

            assertThat(page.read(100, 1)).containsExactly(0);
            assertThat(peer.eventCount(42)).isEqualTo(1);
            assertThat(table.deferredCount()).isEqualTo(1);
            assertThat(table.usage().used()).isEqualTo(1);
        }
        assertThat(table.usage().used()).isZero();
        assertThat(table.deferredCount()).isZero();
    }

    @Test
    void clearedNotifyDoesNotFire() {
        GrantAllocation pages = table.allocate(0, true, 1);
        table.setUnmapNotify(pages, 0, new UnmapNotify(-1, 7));
        table.setUnmapNotify(pages, 0, UnmapNotify.NONE);

        table.release(pages, 0, 1);

        assertThat(peer.eventCount(7)).isZero();
    }

    @Test
    void notifyRefusesPortsOutsideTheTable() {
        GrantAllocation pages = table.allocate(0, true, 1);
        assertThatThrownBy(() -> table.setUnmapNotify(pages, 0, new UnmapNotify(-1, TableLayout.EVENT_PORTS)))
                .isInstanceOfSatisfying(GntfsException.class, e -> assertThat(e.fault()).isEqualTo(Fault.INVALID_ARGUMENT));
    }
}
