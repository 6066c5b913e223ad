package org.gntfs.it;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.collect.ImmutableList;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.gntfs.grant.GrantPeer.PeerPage;
import org.gntfs.grant.xen.GntdevPeer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The direct path on real Xen grants in dom0: a process maps a region through the gntalloc
 * descriptor the daemon hands it, and gntdev maps the same grants by gref as the grantee would.
 * Runs only in a Xen domain (mvn -Pxen).
 */
@Tag("xen")
class XenDirectMappingIT {
    @RegisterExtension
    final XenMountedGntfs gntfs = new XenMountedGntfs();

    private GntdevPeer peer;

    @BeforeEach
    void openPeer() {
        peer = GntdevPeer.open();
    }

    @AfterEach
    void closePeer() {
        peer.close();
    }

    private Path region(String name, int mode, long size) {
        return DirectHolder.createRegion(gntfs.path(name), mode, size);
    }

    @Test
    void theDirectPath_andGntdev_seeEachOthersStoresAtOnce_withoutMsync() throws Exception {
        Path ring = region("ring", 0644, 2 * 4096);
        try (DirectHolder holder = DirectHolder.map(ring)) {
            assertThat(holder.call("write 4100 direct")).isEqualTo("ok");
            try (PeerPage page = peer.map(0, holder.gref(1), true)) {
                assertThat(new String(page.read(4, 6), US_ASCII)).isEqualTo("direct");
                page.write(100, "peer!".getBytes(US_ASCII));
                assertThat(holder.call("read 4196 5")).isEqualTo("peer!");
            }
        }
    }

    @Test
    void twoDirectProcesses_shareTheGrantedPages() throws Exception {
        Path ring = region("ring", 0644, 3 * 4096);
        try (DirectHolder left = DirectHolder.map(ring); DirectHolder right = DirectHolder.map(ring)) {
            assertThat(left.call("write 9000 from-left")).isEqualTo("ok");
            assertThat(right.call("read 9000 9")).isEqualTo("from-left");
            assertThat(right.call("fuse-read 9000 9")).isEqualTo("from-left");
        }
    }

    /**
     * A gntalloc descriptor carries gntalloc's ioctls and maps read-write whatever was asked: it is
     * lent only with the client's own read-write open of gntalloc, for a region opened O_RDWR.
     */
    @Test
    void theGntallocDescriptor_isLentOnlyToAClientThatOpensGntallocItself_forARegionItOpenedReadWrite()
            throws Exception {
        region("own666", 0666, 4096);
        String alone = Proc.run(ImmutableList.<String>builder().addAll(SecurityIT.AS_NOBODY).add(SecurityIT.PYTHON,
                Proc.readableByAll(Proc.script("direct_attack.py")).toString(), "send", "alone",
                gntfs.path("own666").toString()).build()).assertOk().out();
        try (DirectHolder readOnly = DirectHolder.attempt(List.of(), gntfs.path("own666"), false);
                DirectHolder writable = DirectHolder.attempt(List.of(), gntfs.path("own666"), true)) {
            assertThat(alone).isEqualTo("13 0\n");
            assertThat(readOnly.firstLine()).isEqualTo("error EACCES");
            assertThat(writable.firstLine()).startsWith("mapped 4096 ");
        }
    }

    @Test
    void unlinkWhileMapped_keepsTheGrants_untilTheMappingEnds() throws Exception {
        Path ring = region("ring", 0644, 2 * 4096);
        try (DirectHolder holder = DirectHolder.map(ring)) {
            Files.delete(ring);
            assertThat(holder.call("write 0 still-granted")).isEqualTo("ok");
            try (PeerPage page = peer.map(0, holder.gref(0), false)) {
                assertThat(new String(page.read(0, 13), US_ASCII)).isEqualTo("still-granted");
            }
            assertThat(gntfs.grantsHeld()).isEqualTo(2);
            holder.finish();
        }
        awaitNoGrantsHeld();
    }

    @Test
    void aShrinkBelowTheMapping_isEBUSY_andAKilledClientLeavesNoGrant() throws Exception {
        Path ring = region("ring", 0644, 2 * 4096);
        DirectHolder holder = DirectHolder.map(ring);
        assertThat(DirectMappingIT.truncate(ring, 4096)).isEqualTo("EBUSY");
        Files.delete(ring);

        holder.kill();

        awaitNoGrantsHeld();
        assertThat(gntfs.tree().liveRegions()).isEmpty();
    }

    private void awaitNoGrantsHeld() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (gntfs.grantsHeld() > 0) {
            assertThat(System.nanoTime()).as("grants still held after 30 s").isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
