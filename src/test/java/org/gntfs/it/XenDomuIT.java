package org.gntfs.it;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.gntfs.it.XenMountIT.grefs;
import static org.gntfs.it.XenMountIT.python;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.base.Joiner;
import com.google.common.base.Splitter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.gntfs.grant.GrantPeer.PeerPage;
import org.gntfs.grant.xen.GntdevPeer;
import org.gntfs.grant.xen.XenEventChannel;
import org.gntfs.protocol.GrantsFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * gntfs in dom0 and a real second domain: one busybox PV domU, booted once for the whole class,
 * whose peer program maps gntfs's grants with Xen's own libxengnttab, binds event channels with
 * libxenevtchn and grants pages of its own to dom0 (see {@link DomuSession}). The last case
 * destroys the domU. Runs only in the dom0 suite (mvn -Pxen).
 */
@Tag("xen")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class XenDomuIT {
    @RegisterExtension
    final XenMountedGntfs gntfs = new XenMountedGntfs();

    private DomuSession domu;

    @BeforeAll
    void bootDomu() throws IOException {
        long start = System.nanoTime();
        domu = DomuSession.boot();
        System.out.printf("XenDomuIT: domU %d serving after %d s (xl create to peer up: %d s)%n", domu.domid(),
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start), domu.bootSeconds());
    }

    @AfterAll
    void destroyDomu() throws InterruptedException {
        if (domu != null) {
            domu.close();
        }
    }

    /** A directory whose new regions are granted to the domU. */
    private Path domuDirectory(String name) {
        Path directory = gntfs.path(name);
        python("os.mkdir(sys.argv[1]); os.setxattr(sys.argv[1], 'user.gnt.domid', sys.argv[2].encode())",
                directory, domu.domid());
        return directory;
    }

    /** Asks the domU to map {@code grefs} of dom0 into {@code slot}; its reply. */
    private String map(int slot, String access, List<Integer> grefs) {
        return domu.call("map", slot, access, Joiner.on(' ').join(grefs));
    }

    private GrantsFile.Line grantsLine(String path) throws Exception {
        List<GrantsFile.Line> lines = GrantsFile.parse(Files.readString(gntfs.path(GrantsFile.NAME)));
        return lines.stream().filter(line -> line.path().equals(path)).findFirst().orElseThrow();
    }

    @Test
    @Order(1)
    void theDomuMapsRegionsGrantedByDirectoryAndByRegion_andTheBytesGoBothWaysThroughFuse() throws Exception {
        Path ring = domuDirectory("to-domu").resolve("ring");
        Path solo = gntfs.path("solo");
        python(String.join("\n",
                "fd = os.open(sys.argv[1], os.O_CREAT | os.O_RDWR, 0o600)",
                "os.ftruncate(fd, 2 * 4096)",
                "with mmap.mmap(fd, 2 * 4096) as m:",
                "    m[0:9], m[4096:4105] = b'dom0-ring', b'dom0-next'",
                "    m.flush()",
                "s = os.open(sys.argv[2], os.O_CREAT | os.O_RDWR, 0o600)",
                "os.setxattr(sys.argv[2], 'user.gnt.domid', sys.argv[3].encode())",
                "os.ftruncate(s, 4096)",
                "os.pwrite(s, b'dom0-solo', 0)"), ring, solo, domu.domid());
        GrantsFile.Line soloLine = grantsLine("/solo");
        assertThat(grantsLine("/to-domu/ring").domid()).isEqualTo(domu.domid());
        assertThat(soloLine.domid()).isEqualTo(domu.domid());

        assertThat(map(0, "rw", grefs(ring))).isEqualTo("ok mapped 2");
        assertThat(map(1, "rw", soloLine.grefs())).isEqualTo("ok mapped 1");
        assertThat(domu.ok("read 0 0 9")).isEqualTo("dom0-ring");
        assertThat(domu.ok("read 0 4096 9")).isEqualTo("dom0-next");
        assertThat(domu.ok("read 1 0 9")).isEqualTo("dom0-solo");
        domu.ok("write 0 4200 domu-reply");
        domu.ok("write 1 100 domu-solo");

        String seen = python(String.join("\n",
                "print(os.pread(os.open(sys.argv[1], os.O_RDONLY), 10, 4200).decode())",
                "print(os.pread(os.open(sys.argv[2], os.O_RDONLY), 9, 100).decode())"), ring, solo);
        assertThat(seen).isEqualTo("domu-reply\ndomu-solo\n");
        domu.ok("unmap 0");
        domu.ok("unmap 1");
    }

    /** Drives the direct path through the documented Python client only. */
    @Test
    @Order(2)
    void theDirectPath_andTheDomu_seeEachOthersStoresLive() throws Exception {
        Path ring = DirectHolder.createRegion(domuDirectory("direct").resolve("ring"), 0644, 2 * 4096);
        try (DirectHolder holder = DirectHolder.map(ring)) {
            assertThat(holder.call("write 4100 live-dom0")).isEqualTo("ok");
            assertThat(map(2, "rw", List.of(holder.gref(0), holder.gref(1)))).isEqualTo("ok mapped 2");
            assertThat(domu.ok("read 2 4100 9")).isEqualTo("live-dom0");
            domu.ok("write 2 200 live-domu");
            assertThat(holder.call("read 200 9")).isEqualTo("live-domu");
            domu.ok("unmap 2");
            holder.finish();
        }
    }

    @Test
    @Order(3)
    void aReadOnlyGrant_isRefusedWritableByXen_andMapsReadOnly() {
        Path region = gntfs.path("ro");
        python(String.join("\n",
                "fd = os.open(sys.argv[1], os.O_CREAT | os.O_RDWR, 0o600)",
                "os.setxattr(sys.argv[1], 'user.gnt.domid', sys.argv[2].encode())",
                "os.setxattr(sys.argv[1], 'user.gnt.writable', b'0')",
                "os.pwrite(fd, b'read-only', 0)"), region, domu.domid());
        List<Integer> grefs = grefs(region);

        assertThat(map(3, "rw", grefs)).startsWith("error xengnttab_map_domain_grant_refs");
        assertThat(map(3, "r", grefs)).isEqualTo("ok mapped 1");
        assertThat(domu.ok("read 3 0 9")).isEqualTo("read-only");
        domu.ok("unmap 3");
    }

    @Test
    @Order(4)
    void theUnmapNotify_clearsTheByteInTheDomu_andSignalsItsEventChannel_whenTheRegionIsReleased()
            throws Exception {
        Path region = gntfs.path("notified");
        try (XenEventChannel channel = XenEventChannel.unboundFor(domu.domid())) {
            python(String.join("\n",
                    "fd = os.open(sys.argv[1], os.O_CREAT | os.O_RDWR, 0o600)",
                    "os.setxattr(sys.argv[1], 'user.gnt.domid', sys.argv[2].encode())",
                    "os.pwrite(fd, b'Xnotify', 0)",
                    "os.setxattr(sys.argv[1], 'user.gnt.notify', ('byte 0 event ' + sys.argv[3]).encode())"),
                    region, domu.domid(), channel.port());
            assertThat(map(4, "rw", grefs(region))).isEqualTo("ok mapped 1");
            domu.ok("bind", channel.port());
            assertThat(domu.ok("read 4 0 7")).isEqualTo("Xnotify");

            python("os.unlink(sys.argv[1])", region);

            assertThat(domu.call("event 4 0 30")).startsWith("ok event on port");
            assertThat(domu.ok("read 4 0 7")).as("cleared, and still mapped").isEqualTo(".notify");
            domu.ok("unmap 4");
        }
    }

    @Test
    @Order(5)
    void aGrantToAnotherDomain_isRefusedToTheDomu_andGntfsPeerAsThatDomainSaysWhy() {
        int other = domu.domid() + 7;
        Path region = gntfs.path("not-yours");
        python(String.join("\n",
                "fd = os.open(sys.argv[1], os.O_CREAT | os.O_RDWR, 0o600)",
                "os.setxattr(sys.argv[1], 'user.gnt.domid', sys.argv[2].encode())",
                "os.pwrite(fd, b'not-yours', 0)"), region, other);
        int gref = grefs(region).get(0);

        assertThat(map(5, "r", List.of(gref))).startsWith("error xengnttab_map_domain_grant_refs");
        Proc.Result peer = Proc.run(XenMountIT.gntfs("peer", "read", gntfs.root(), "--as", other, "--gref", gref,
                "--length", 9), null, Duration.ofMinutes(3));
        assertThat(peer.exit()).isEqualTo(1);
        assertThat(peer.err().lines().filter(line -> !line.startsWith("Picked up ")))
                .containsExactly("gntfs peer read: on Xen a peer maps as the domain it runs in, domain 0, not as domain "
                        + other);
    }

    /** The other direction, as a GUI agent's domU grants its frame buffer to dom0. */
    @Test
    @Order(6)
    void pagesTheDomuGrantsToDom0_areMappedThereWithGntdev_bothWays() {
        List<Integer> grefs = Splitter.on(' ').splitToStream(domu.ok("grant 6 2 domu-granted"))
                .map(Integer::valueOf).toList();
        try (GntdevPeer fromDomu = GntdevPeer.ofGrantsFrom(domu.domid());
                PeerPage first = fromDomu.map(0, grefs.get(0), true);
                PeerPage second = fromDomu.map(0, grefs.get(1), false)) {
            assertThat(new String(first.read(0, 19), US_ASCII)).isEqualTo("domu-granted page 0");
            assertThat(new String(second.read(0, 19), US_ASCII)).isEqualTo("domu-granted page 1");
            first.write(2048, "dom0-wrote".getBytes(US_ASCII));
        }
        assertThat(domu.ok("read 6 2048 10")).isEqualTo("dom0-wrote");
        domu.ok("unmap 6");
    }

    /** Last: the domU is gone afterwards. */
    @Test
    @Order(7)
    void whenThePeerDiesWhileMapping_releasesNeitherHangNorFail_andNothingLeaks() throws Exception {
        Path directory = domuDirectory("dying");
        int descriptors = openDescriptors();
        Path held = directory.resolve("held");
        Path kept = directory.resolve("kept");
        python(String.join("\n",
                "for p, pages in ((sys.argv[1], 2), (sys.argv[2], 1)):",
                "    fd = os.open(p, os.O_CREAT | os.O_RDWR, 0o600)",
                "    os.ftruncate(fd, pages * 4096)",
                "    os.pwrite(fd, b'mapped-by-domu', 0)"), held, kept);
        assertThat(map(7, "rw", grefs(held))).isEqualTo("ok mapped 2");
        assertThat(map(8, "rw", grefs(kept))).isEqualTo("ok mapped 1");
        assertThat(domu.activeGrantsOf(0)).as("dom0 grants Xen shows mapped").isEqualTo(3);

        python("os.unlink(sys.argv[1])", held);
        assertThat(gntfs.grantsHeld()).as("the pool no longer counts the released region").isEqualTo(1);
        assertThat(domu.activeGrantsOf(0)).as("the kernel defers the end of grants still mapped").isEqualTo(3);

        long destroySeconds = domu.destroy();
        System.out.printf("XenDomuIT: xl destroy of the mapping domU took %d s%n", destroySeconds);
        python("os.unlink(sys.argv[1])", kept);

        awaitZero("grants held by the mount", () -> Math.toIntExact(gntfs.grantsHeld()));
        awaitZero("dom0 grants Xen shows mapped", () -> domu.activeGrantsOf(0));
        awaitZero("descriptors the daemon opened", () -> openDescriptors() - descriptors);
        assertThat(GrantsFile.parse(Files.readString(gntfs.path(GrantsFile.NAME)))).isEmpty();
        String df = python("s = os.statvfs(sys.argv[1]); print(s.f_blocks - s.f_bfree)", gntfs.root());
        assertThat(df.trim()).as("used blocks in df").isEqualTo("0");
    }

    private static int openDescriptors() {
        try (var entries = Files.list(Path.of("/proc/self/fd"))) {
            return Math.toIntExact(entries.count());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Waits (30 s at most) until {@code count} is 0 or less. */
    private static void awaitZero(String what, IntSupplier count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        int last;
        while ((last = count.getAsInt()) > 0) {
            assertThat(System.nanoTime()).as("%s: still %d after 30 s", what, last).isLessThan(deadline);
            Thread.sleep(200);
        }
    }
}
