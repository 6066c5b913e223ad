package org.gntfs.grant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.gntfs.Fault;
import org.gntfs.GntfsException;
import org.gntfs.nativeio.Posix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GrantBackendProvidersTest {
    @TempDir
    Path directory;

    @Test
    void everyBackendOfThisBuild_isRegistered_byName() {
        assertThat(GrantBackendProviders.all()).extracting(GrantBackendProvider::name).containsExactly("sim", "xen");
        assertThat(GrantBackendProviders.named("xen")).get().extracting(GrantBackendProvider::priority)
                .isEqualTo(GrantBackendProviders.byPriority().get(0).priority());
        assertThat(GrantBackendProviders.named("zfs")).isEmpty();
    }

    @Test
    void auto_takesXenWhereGntallocExists_andTheSimulatedTableElsewhere() {
        String expected = Files.exists(Path.of("/dev/xen/gntalloc")) ? "xen" : "sim";

        assertThat(GrantBackendProviders.auto().name()).isEqualTo(expected);
    }

    @Test
    void theSimulatedPeer_attachesByTheFactsTheMountRootPublishes() throws Exception {
        GrantBackendProvider sim = GrantBackendProviders.named("sim").orElseThrow();
        try (GrantBackend backend = sim.open(new PoolSettings(4, directory));
                GrantSpace space = backend.openSpace()) {
            assertThat(backend.usage().limit()).isEqualTo(4);
            GrantAllocation allocation = space.allocate(7, true, 1);
            try (GrantPeer peer = sim.attachPeer(directory, name -> backend.properties().get(name));
                    GrantPeer.PeerPage page = peer.map(7, allocation.gref(0), true)) {
                page.write(0, new byte[] {42});
                assertThat(peer.eventCounts()).get().extracting(GrantPeer.EventCounts::ports).isEqualTo(4096);
            }
            assertThat(Posix.MEMORY.getByte(allocation.pageAddress(0))).isEqualTo((byte) 42);
            space.release(allocation, 0, 1);
        }
    }

    @Test
    void theSimulatedPeer_withoutATableFact_fails() {
        GrantBackendProvider sim = GrantBackendProviders.named("sim").orElseThrow();

        assertThatThrownBy(() -> sim.attachPeer(directory, name -> {
                    throw GntfsException.of(Fault.NOT_FOUND, "%s is not a gntfs mount (no user.gnt.%s)", directory, name);
                }))
                .isInstanceOf(GntfsException.class)
                .hasMessageEndingWith("(no user.gnt.table)");
    }
}
