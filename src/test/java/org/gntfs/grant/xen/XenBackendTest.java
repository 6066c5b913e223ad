package org.gntfs.grant.xen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.gntfs.protocol.Pages.PAGE_SIZE;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.gntfs.Fault;
import org.gntfs.GntfsException;
import org.gntfs.grant.GrantAllocation;
import org.gntfs.grant.GrantBackend;
import org.gntfs.grant.GrantBackendProvider;
import org.gntfs.grant.GrantBackendProviders;
import org.gntfs.grant.GrantPeer.PeerPage;
import org.gntfs.grant.GrantSpace;
import org.gntfs.grant.PoolSettings;
import org.gntfs.grant.UnmapNotify;
import org.gntfs.nativeio.Posix;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The gntalloc backend and the gntdev peer against the real hypervisor, in dom0: grants made to
 * domain 0 are self-grants that dom0 maps back. Runs only in a Xen domain (mvn -Pxen).
 */
@Tag("xen")
class XenBackendTest {
    private static final byte[] HELLO = "hello from the peer".getBytes(StandardCharsets.US_ASCII);

    private XenGrantBackend backend;
    private GrantSpace space;
    private GntdevPeer peer;

    @BeforeEach
    void open() {
        backend = XenGrantBackend.open();
        space = backend.openSpace();
        peer = GntdevPeer.open();
    }

    @AfterEach
    void close() {
        peer.close();
        space.close();
        backend.close();
    }

    @Test
    void allocate_grantsZeroedPages_thatGntdevMapsByGref_inBothDirections() {
        GrantAllocation pages = space.allocate(0, true, 3);

        assertThat(pages.grefs().asList()).doesNotHaveDuplicates().allSatisfy(gref -> assertThat(gref).isGreaterThanOrEqualTo(8));
        assertThat(backend.usage().used()).isEqualTo(3);
        for (int page = 0; page < 3; page++) {
            assertThat(daemonBytes(pages, page, 0, PAGE_SIZE)).containsOnly(0);
            Posix.MEMORY.putByteArray(pages.pageAddress(page), pattern(page), 0, PAGE_SIZE);
        }
        for (int page = 0; page < 3; page++) {
            try (PeerPage mapped = peer.map(0, pages.gref(page), true)) {
                assertThat(mapped.read(0, PAGE_SIZE)).isEqualTo(pattern(page));
                mapped.write(1000, HELLO);
            }
            assertThat(daemonBytes(pages, page, 1000, HELLO.length)).isEqualTo(HELLO);
        }

        space.release(pages, 0, 3);
        assertThat(backend.usage().used()).isZero();
    }

    @Test
    void releaseOfASubRange_endsThoseGrantsOnly() {
        GrantAllocation pages = space.allocate(0, true, 4);

        space.release(pages, 2, 2);

        assertThat(backend.usage().used()).isEqualTo(2);
        assertThatThrownBy(() -> peer.map(0, pages.gref(3), false))
                .isInstanceOf(GntfsException.class)
                .hasMessage("gref %d is not granted to domain 0", pages.gref(3));
        try (PeerPage kept = peer.map(0, pages.gref(1), false)) {
            assertThat(kept.read(0, 1)).containsExactly(0);
        }
        space.release(pages, 0, 2);
        assertThat(backend.usage().used()).isZero();
    }

    @Test
    void aReadOnlyGrant_mapsForReading_andRefusesWritingInOneLine() {
        GrantAllocation page = space.allocate(0, false, 1);
        Posix.MEMORY.putByteArray(page.pageAddress(0), HELLO, 0, HELLO.length);

        assertThatThrownBy(() -> peer.map(0, page.gref(0), true))
                .isInstanceOfSatisfying(GntfsException.class, e -> assertThat(e.fault()).isEqualTo(Fault.ACCESS_DENIED))
                .hasMessage("gref %d is a read-only grant", page.gref(0));
        try (PeerPage mapped = peer.map(0, page.gref(0), false)) {
            assertThat(mapped.read(0, HELLO.length)).isEqualTo(HELLO);
        }
        space.release(page, 0, 1);
    }

    @Test
    void aGrantToAnotherDomain_isRefusedByTheHypervisor() {
        GrantAllocation page = space.allocate(5, true, 1);

        assertThatThrownBy(() -> peer.map(0, page.gref(0), false))
                .isInstanceOfSatisfying(GntfsException.class, e -> assertThat(e.fault()).isEqualTo(Fault.NOT_FOUND))
                .hasMessage("gref %d is not granted to domain 0", page.gref(0));
        assertThatThrownBy(() -> peer.map(5, page.gref(0), false))
                .hasMessage("on Xen a peer maps as the domain it runs in, domain 0, not as domain 5");
        space.release(page, 0, 1);
    }

    @Test
    void theUnmapNotify_clearsItsByteInThePeersMapping_whenTheDaemonReleasesThePage() {
        GrantAllocation pages = space.allocate(0, true, 2);
        Posix.MEMORY.putByteArray(pages.pageAddress(1), new byte[] {0x5a, 0x5b}, 0, 2);
        space.setUnmapNotify(pages, 1, new UnmapNotify(0, -1));

        try (PeerPage mapped = peer.map(0, pages.gref(1), false)) {
            assertThat(mapped.read(0, 2)).containsExactly(0x5a, 0x5b);
            space.release(pages, 0, 2);
            assertThat(mapped.read(0, 2)).containsExactly(0, 0x5b);
        }
    }

    @Test
    void aClearedNotify_leavesTheByte() {
        GrantAllocation page = space.allocate(0, true, 1);
        Posix.MEMORY.putByte(page.pageAddress(0) + 7, (byte) 1);
        space.setUnmapNotify(page, 0, new UnmapNotify(7, -1));
        space.setUnmapNotify(page, 0, UnmapNotify.NONE);

        try (PeerPage mapped = peer.map(0, page.gref(0), false)) {
            space.release(page, 0, 1);
            assertThat(mapped.read(7, 1)).containsExactly(1);
        }
    }

    @Test
    void anEventNotify_signalsItsPort_whenTheDaemonReleasesThePage() throws Exception {
        GrantAllocation page = space.allocate(0, true, 1);
        try (XenEventChannel channel = XenEventChannel.loopback(0)) {
            space.setUnmapNotify(page, 0, new UnmapNotify(-1, channel.port()));
            assertThat(channel.awaitEvent(Duration.ofMillis(200))).as("an event before the release").isFalse();

            space.release(page, 0, 1);

            assertThat(channel.awaitEvent(Duration.ofSeconds(10))).as("the event of the release").isTrue();
        }
    }

    @Test
    void anEventNotify_onAPortNotBoundHere_isAnInvalidArgument() {
        GrantAllocation page = space.allocate(0, true, 1);

        assertThatThrownBy(() -> space.setUnmapNotify(page, 0, new UnmapNotify(-1, 4000)))
                .isInstanceOfSatisfying(GntfsException.class, e -> assertThat(e.fault()).isEqualTo(Fault.INVALID_ARGUMENT))
                .hasMessage("event channel port 4000 is not bound in this domain");
        space.release(page, 0, 1);
    }

    @Test
    void autoResolvesToXen_whereGntallocExists() throws Exception {
        GrantBackendProvider auto = GrantBackendProviders.auto();
        assertThat(auto.name()).isEqualTo("xen");
        try (GrantBackend opened = auto.open(new PoolSettings(1, Path.of("/dev/shm")))) {
            assertThat(opened.name()).isEqualTo("xen");
            assertThat(opened.usage().limit()).isEqualTo(backend.usage().limit());
        }
    }

    @Test
    void moreThanTheLimit_isNoSpace_andHoldsNothing() {
        long limit = backend.usage().limit();

        assertThatThrownBy(() -> space.allocate(0, true, Math.toIntExact(limit + 1)))
                .isInstanceOfSatisfying(GntfsException.class, e -> assertThat(e.fault()).isEqualTo(Fault.NO_SPACE))
                .hasMessageContaining("gntalloc's limit is " + limit);
        assertThat(backend.usage().used()).isZero();
        GrantAllocation all = space.allocate(0, true, Math.toIntExact(limit));
        space.release(all, 0, all.pages());
    }

    private static byte[] pattern(int page) {
        byte[] bytes = new byte[PAGE_SIZE];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (i * 7 + page * 13 + 1);
        }
        return bytes;
    }

    private static byte[] daemonBytes(GrantAllocation allocation, int page, int offset, int length) {
        byte[] bytes = new byte[length];
        Posix.MEMORY.getByteArray(allocation.pageAddress(page) + offset, bytes, 0, length);
        return bytes;
    }
}
