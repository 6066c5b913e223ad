package org.gntfs.grant.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import jnr.constants.platform.Errno;
import org.gntfs.Fault;
import org.gntfs.GntfsException;
import org.gntfs.grant.GrantAllocation;
import org.gntfs.grant.GrantPeer;
import org.gntfs.grant.GrantSpace;
import org.gntfs.grant.LentDescriptors;
import org.gntfs.grant.UnmapNotify;
import org.gntfs.nativeio.NativeError;
import org.gntfs.nativeio.Posix;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimulatedGrantTableTest {
    @TempDir
    Path directory;

    private SimulatedGrantTable table;
    private GrantSpace space;
    private SimulatedPeer peer;

    @BeforeEach
    void createTable() throws IOException {
        table = SimulatedGrantTable.create(directory, 8);
        space = table.openSpace();
        peer = SimulatedPeer.attach(table.tablePath());
    }

    @AfterEach
    void closeTable() {
        peer.close();
        table.close();
    }

    @Test
    void theTableIsOwnerOnly_andSpacesAreMemfds_andAllGoWithClose() throws IOException {
        Path tablePath = table.tablePath();
        assertThat(spaceDescriptors()).isEmpty();
        space.allocate(0, true, 1);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tablePath))).isEqualTo("rw-------");
        assertThat(spaceDescriptors()).containsExactly("/memfd:" + TableLayout.spaceName(tablePath, 1) + " (deleted)");

        peer.close();
        table.close();

        assertThat(tablePath).doesNotExist();
        assertThat(spaceDescriptors()).isEmpty();
    }

    /** What this process's descriptors of this table's spaces are called. */
    private List<String> spaceDescriptors() throws IOException {
        String prefix = "/memfd:" + TableLayout.spaceName(table.tablePath(), 0).replaceFirst("0$", "");
        List<String> names = new ArrayList<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith(prefix)) {
                        names.add(target);
                    }
                } catch (IOException e) {
                    // The descriptor of the listing itself is gone by now.
                }
            }
        }
        return names;
    }

    @Test
    void space_goesWithItsClose_andAPeerMapOfItFailsCleanly() throws IOException {
        GrantAllocation pages = space.allocate(0, true, 1);
        space.release(pages, 0, 1);
        space.close();

        assertThat(spaceDescriptors()).isEmpty();
        assertThatThrownBy(() -> peer.map(0, 8, false)).hasMessageContaining("not granted");
        assertThat(table.usage().used()).isZero();
    }

    @Test
    void space_aDescriptorHandedOutCannotChangeTheSize_soNoMappingMeetsItsEnd() throws IOException {
        int fd = descriptorOf(space.allocate(0, true, 1), true);
        try {
            assertThatThrownBy(() -> Posix.ftruncate(fd, 0))
                    .isInstanceOfSatisfying(NativeError.class, e -> assertThat(e.is(Errno.EPERM)).isTrue());
            assertThatThrownBy(() -> Posix.ftruncate(fd, 2 * 4096))
                    .isInstanceOfSatisfying(NativeError.class, e -> assertThat(e.is(Errno.EPERM)).isTrue());
        } finally {
            Posix.close(fd);
        }
    }

    @Test
    void space_aDescriptorReachesItsAllocationOnly_noStorePastItsPages() throws IOException {
        GrantAllocation first = space.allocate(0, true, 1);
        space.allocate(0, true, 1);
        int fd = descriptorOf(first, true);
        try (var channel = FileChannel.open(Path.of("/proc/self/fd/" + fd),
                StandardOpenOption.WRITE)) {
            assertThat(Files.size(Path.of("/proc/self/fd/" + fd))).isEqualTo(4096);
            assertThatThrownBy(() -> channel.write(ByteBuffer.wrap(new byte[] {1}), 4096))
                    .isInstanceOf(IOException.class);
            assertThatThrownBy(() -> channel.write(ByteBuffer.wrap(new byte[] {1}), 1L << 40))
                    .isInstanceOf(IOException.class);
        } finally {
            Posix.close(fd);
        }
    }

    private int descriptorOf(GrantAllocation allocation, boolean write) {
        LentDescriptors lent = space.openDescriptors(List.of(allocation), write);
        assertThat(lent.placements()).containsExactly(new LentDescriptors.Placement(0, 0));
        return lent.descriptors().get(0);
    }

    @Test
    void space_offsetsFollowGntallocsIndexAndAreNeverReused() {
        GrantAllocation first = space.allocate(0, true, 2);
        GrantAllocation second = space.allocate(0, true, 1);
        space.release(first, 0, 2);
        GrantAllocation third = space.allocate(0, true, 1);

        assertThat(first.deviceOffset()).isZero();
        assertThat(second.deviceOffset()).isEqualTo(2 * 4096);
        assertThat(third.deviceOffset()).isEqualTo(3 * 4096);
    }

    @Test
    void space_descriptorMapsTheVeryGrantedPages() throws IOException {
        GrantAllocation pages = space.allocate(0, true, 2);
        int fd = descriptorOf(pages, true);
        long address = Posix.mmapShared(fd, 0, 2 * 4096);
        try (GrantPeer.PeerPage page = peer.map(0, pages.gref(1), true)) {
            Posix.MEMORY.putByte(address + 4096 + 5, (byte) 'c');
            assertThat(page.read(5, 1)).containsExactly('c');
            page.write(6, new byte[] {'p'});
            assertThat(Posix.MEMORY.getByte(address + 4096 + 6)).isEqualTo((byte) 'p');
            assertThat(Posix.MEMORY.getByte(pages.pageAddress(1) + 6)).isEqualTo((byte) 'p');
        } finally {
            Posix.munmap(address, 2 * 4096);
            Posix.close(fd);
        }
    }

    @Test
    void space_readOnlyDescriptorRefusesAWritableMapping() throws IOException {
        int fd = descriptorOf(space.allocate(0, true, 1), false);
        try {
            assertThatThrownBy(() -> Posix.mmapShared(fd, 0, 4096))
                    .isInstanceOfSatisfying(NativeError.class, e -> assertThat(e.is(Errno.EACCES)).isTrue());
            Posix.munmap(Posix.mmapShared(fd, 0, 4096, Posix.PROT_READ), 4096);
        } finally {
            Posix.close(fd);
        }
        assertThat(table.enforcesReadOnlyDescriptors()).isTrue();
    }

    @Test
    void space_aReleasedAllocationHasNoDescriptor() {
        GrantAllocation pages = space.allocate(0, true, 1);
        space.release(pages, 0, 1);
        assertThatThrownBy(() -> space.openDescriptors(List.of(pages), true)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void allocate_grantsZeroedPagesAboveTheReservedRefs() {
        GrantAllocation pages = space.allocate(3, true, 2);

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
        space.allocate(0, true, 6);

        assertThatThrownBy(() -> space.allocate(0, true, 3))
                .isInstanceOfSatisfying(GntfsException.class, e -> assertThat(e.fault()).isEqualTo(Fault.NO_SPACE));
        assertThat(table.usage().used()).isEqualTo(6);
        assertThat(space.allocate(0, true, 2).pages()).isEqualTo(2);
    }

    @Test
    void release_ofASubRangeFreesExactlyThoseRefs() {
        GrantAllocation pages = space.allocate(0, true, 4);

        space.release(pages, 2, 2);

        assertThat(table.usage().used()).isEqualTo(2);
        assertThatThrownBy(() -> peer.map(0, 10, false)).hasMessageContaining("not granted");
        peer.map(0, 9, false).close();
    }

    @Test
    void peer_refusesOtherDomainsAndWritesToReadOnlyGrants() {
        space.allocate(5, false, 1);

        assertThatThrownBy(() -> peer.map(6, 8, false)).hasMessage("gref 8 is granted to domain 5, not to domain 6");
        assertThatThrownBy(() -> peer.map(5, 8, true)).hasMessage("gref 8 is a read-only grant");
        assertThatThrownBy(() -> peer.map(5, 3, false)).hasMessageContaining("not granted");
        assertThatThrownBy(() -> peer.map(5, 99, false)).hasMessageContaining("not granted");
        peer.map(5, 8, false).close();
    }

    @Test
    void release_firesTheNotifyByteThenEvent() {
        GrantAllocation pages = space.allocate(0, true, 1);
        Posix.MEMORY.putByte(pages.pageAddress(0) + 100, (byte) 7);
        space.setUnmapNotify(pages, 0, new UnmapNotify(100, 42));

        try (GrantPeer.PeerPage page = peer.map(0, 8, false)) {
            space.release(pages, 0, 1);

            assertThat(page.read(100, 1)).containsExactly(0);
            assertThat(peer.eventCount(42)).isEqualTo(1);
            assertThat(table.deferredCount()).isEqualTo(1);
            assertThat(table.usage().used()).isEqualTo(1);
        }
        assertThat(table.usage().used()).isZero();
        assertThat(table.deferredCount()).isZero();
    }

    @Test
    void twoPeersMappingOneRef_keepItDeferredUntilTheLastUnmaps_thenItComesBackByItself() throws IOException, InterruptedException {
        GrantAllocation pages = space.allocate(0, true, 1);
        try (SimulatedPeer other = SimulatedPeer.attach(table.tablePath())) {
            GrantPeer.PeerPage first = peer.map(0, 8, false);
            GrantPeer.PeerPage second = other.map(0, 8, false);
            GrantPeer.PeerPage again = peer.map(0, 8, false);
            space.release(pages, 0, 1);

            first.close();
            again.close();
            assertThat(table.deferredCount()).as("the other peer still maps it").isEqualTo(1);
            assertThat(table.usage().used()).isEqualTo(1);

            second.close();
            // No allocation and no usage(): the table's own re-check brings the ref back.
            awaitNoDeferredRefs();
        }
        assertThat(table.usage().used()).isZero();
        assertThat(space.allocate(0, true, 1).gref(0)).as("the ref is reusable").isEqualTo(8);
    }

    @Test
    void aPeersMapping_isTheKernelsLock_soItsDescriptorGoingIsAnUnmap() throws IOException, InterruptedException {
        GrantAllocation pages = space.allocate(0, true, 1);
        try (GrantTableMemory asAPeer = GrantTableMemory.open(table.tablePath())) {
            int hold = asAPeer.holdRef(8);
            space.release(pages, 0, 1);
            assertThat(table.deferredCount()).isEqualTo(1);

            // What a peer's death does to its descriptors, whatever kills it; its mapping of the frame does not count.
            Posix.close(hold);
        }

        awaitNoDeferredRefs();
        assertThat(table.usage().used()).isZero();
    }

    private void awaitNoDeferredRefs() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (table.deferredCount() > 0) {
            assertThat(System.nanoTime()).as("the deferred ref is reclaimed within 10 s").isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    @Test
    void clearedNotifyDoesNotFire() {
        GrantAllocation pages = space.allocate(0, true, 1);
        space.setUnmapNotify(pages, 0, new UnmapNotify(-1, 7));
        space.setUnmapNotify(pages, 0, UnmapNotify.NONE);

        space.release(pages, 0, 1);

        assertThat(peer.eventCount(7)).isZero();
    }

    @Test
    void notifyRefusesPortsOutsideTheTable() {
        GrantAllocation pages = space.allocate(0, true, 1);
        assertThatThrownBy(() -> space.setUnmapNotify(pages, 0, new UnmapNotify(-1, TableLayout.EVENT_PORTS)))
                .isInstanceOfSatisfying(GntfsException.class, e -> assertThat(e.fault()).isEqualTo(Fault.INVALID_ARGUMENT));
    }
}
