package org.gntfs.it;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.collect.ImmutableList;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.gntfs.client.DirectMapException;
import org.gntfs.client.GntRegion;
import org.gntfs.grant.GrantPeer;
import org.gntfs.grant.sim.SimulatedPeer;
import org.gntfs.nativeio.NativeError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The direct path: processes that map a region's granted pages through the socket beside the
 * mount, against the simulated table's peer, the FUSE path and each other.
 */
class DirectMappingIT {
    @RegisterExtension
    final MountedGntfs gntfs = new MountedGntfs(1024, 0);

    @TempDir
    Path scratch;

    private Path region(String name, int mode, long size) {
        return DirectHolder.createRegion(gntfs.path(name), mode, size);
    }

    private String peerRead(int gref, int offset, int length) {
        return Proc.gntfs("peer", "read", gntfs.root(), "--as", 0, "--gref", gref, "--offset", offset, "--length", length)
                .assertOk().out();
    }

    private void peerWrite(int gref, int offset, String text) {
        Proc.gntfsWithInput(text.getBytes(US_ASCII), "peer", "write", gntfs.root(), "--as", 0, "--gref", gref,
                "--offset", offset).assertOk();
    }

    static String truncate(Path path, long size) {
        return Proc.python(RegionMountIT.PY + "print(attempt(os.truncate, sys.argv[1], int(sys.argv[2])))", path, size)
                .assertOk().out().trim();
    }

    @Test
    void theDirectPath_andThePeer_seeEachOthersStoresAtOnce_withoutMsync() throws Exception {
        Path ring = region("ring", 0644, 2 * 4096);
        try (DirectHolder holder = DirectHolder.map(ring)) {
            assertThat(holder.firstLine()).isEqualTo("mapped 8192 " + xattr(ring, "user.gnt.grefs"));

            assertThat(holder.call("write 4100 direct")).isEqualTo("ok");
            assertThat(peerRead(holder.gref(1), 4, 6)).isEqualTo("direct");

            peerWrite(holder.gref(1), 100, "peer!");
            assertThat(holder.call("read 4196 5")).isEqualTo("peer!");
        }
    }

    @Test
    void twoDirectProcesses_seeEachOthersStoresAtOnce() throws Exception {
        Path ring = region("ring", 0644, 3 * 4096);
        try (DirectHolder left = DirectHolder.map(ring); DirectHolder right = DirectHolder.map(ring)) {
            assertThat(Proc.gntfs("list", gntfs.root()).assertOk().out())
                    .isEqualTo("PATH   DOMID  PAGES  ACCESS  DIRECT  GREFS\n/ring      0      3  rw           2  8-10\n");
            assertThat(left.call("write 9000 from-left")).isEqualTo("ok");
            assertThat(right.call("read 9000 9")).isEqualTo("from-left");
            assertThat(right.call("write 10 from-right")).isEqualTo("ok");
            assertThat(left.call("read 10 10")).isEqualTo("from-right");
        }
    }

    @Test
    void aProcessMixingBothPaths_seesWhatTheCoherenceRulesSay() throws Exception {
        Path fb = region("fb", 0644, 2 * 4096);
        try (DirectHolder holder = DirectHolder.map(fb)) {
            // write(2) reaches the granted pages when it returns.
            assertThat(holder.call("fuse-write 10 via-write")).isEqualTo("ok");
            assertThat(holder.call("read 10 9")).isEqualTo("via-write");
            // A direct store is in the granted pages, which the next open reads.
            assertThat(holder.call("write 20 via-direct")).isEqualTo("ok");
            assertThat(holder.call("fuse-read 20 10")).isEqualTo("via-direct");
            // A store through a FUSE mapping reaches them on msync.
            Proc.python(RegionMountIT.PY + String.join("\n",
                    "fd = os.open(sys.argv[1], os.O_RDWR)",
                    "m = mmap.mmap(fd, 8192, mmap.MAP_SHARED)",
                    "m[5000:5008] = b'via-mmap'",
                    "m.flush()"), fb).assertOk();
            assertThat(holder.call("read 5000 8")).isEqualTo("via-mmap");
        }
    }

    @Test
    void anotherUid_isRefusedWhatTheModeRefuses_asAnOpenWouldBe() throws Exception {
        region("own600", 0600, 4096);
        region("own644", 0644, 4096);
        Files.createDirectory(gntfs.path("private"));
        Files.setPosixFilePermissions(gntfs.path("private"), java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        region("private/open", 0666, 4096);

        assertThat(firstLineAsNobody("own600", false)).isEqualTo("error EACCES");
        assertThat(firstLineAsNobody("own644", false)).startsWith("mapped 4096 ");
        assertThat(firstLineAsNobody("own644", true)).isEqualTo("error EACCES");
        assertThat(firstLineAsNobody("private/open", false)).isEqualTo("error EACCES");
        // As open(2) would: a name in a directory one cannot search is not even found to be missing.
        assertThat(firstLineAsNobody("private/missing", false)).isEqualTo("error EACCES");
        try (DirectHolder root = DirectHolder.attempt(List.of(), gntfs.path("own600"), true)) {
            assertThat(root.firstLine()).startsWith("mapped 4096 ");
        }
        await(() -> gntfs.tree().liveRegions().stream().allMatch(r -> r.loanCount() == 0), "every loan ended");
    }

    private String firstLineAsNobody(String name, boolean write) throws Exception {
        try (DirectHolder holder = DirectHolder.attempt(SecurityIT.AS_NOBODY, gntfs.path(name), write)) {
            return holder.firstLine();
        }
    }

    @Test
    void aMissingRegionOrAMalformedRequest_getTheErrnoAnOpenWouldGet_andDescriptorsSentAlongAreNotKept()
            throws Exception {
        long descriptors = openDescriptors();
        String out = Proc.python(RegionMountIT.PY + String.join("\n",
                "sys.path.insert(0, sys.argv[1])",
                "from gntfs_direct import Region",
                "import socket",
                "def name_of(path):",
                "    try:",
                "        Region(path).close()",
                "        return 'ok'",
                "    except OSError as e:",
                "        return errno.errorcode[e.errno]",
                "print(name_of(sys.argv[2] + '/missing'))",
                "s = socket.socket(socket.AF_UNIX)",
                "s.connect(os.getxattr(sys.argv[2], 'user.gnt.socket').decode())",
                "socket.send_fds(s, [b'give me everything\\n'], [0, 1, 2])",
                "print(s.recv(4096).decode().split(' ', 2)[1])"),
                DirectHolder.EXAMPLES, gntfs.root()).assertOk().out();

        assertThat(out).isEqualTo("ENOENT\n22\n");
        await(() -> openDescriptors() <= descriptors, "descriptors back to " + descriptors);
    }

    @Test
    void aClientThatAsksNothing_isToldSoAndLetGo_andOthersAreServedMeanwhile() throws Exception {
        region("ring", 0644, 4096);
        String out = Proc.python(RegionMountIT.PY + String.join("\n",
                "import socket",
                "s = socket.socket(socket.AF_UNIX)",
                "s.connect(os.getxattr(sys.argv[1], 'user.gnt.socket').decode())",
                "sys.path.insert(0, sys.argv[2])",
                "from gntfs_direct import Region",
                "with Region(sys.argv[1] + '/ring') as r:",
                "    print('served', r.size)",
                "print(s.recv(4096).decode().split(' ', 2)[1], s.recv(4096) == b'')"),
                gntfs.root(), DirectHolder.EXAMPLES).assertOk().out();

        assertThat(out).isEqualTo("served 4096\n110 True\n");
    }

    @Test
    void directoriesAndEmptyRegionsHaveNothingToMap() throws Exception {
        Files.createDirectory(gntfs.path("dir"));
        region("empty", 0644, 0);
        try (DirectHolder dir = DirectHolder.attempt(List.of(), gntfs.path("dir"), true);
                DirectHolder empty = DirectHolder.attempt(List.of(), gntfs.path("empty"), true)) {
            assertThat(dir.firstLine()).isEqualTo("error EISDIR");
            assertThat(empty.firstLine()).isEqualTo("error EINVAL");
        }
    }

    @Test
    void unlinkWhileMapped_keepsThePagesForTheMapping_andReleasesThemWhenItEnds() throws Exception {
        Path ring = region("ring", 0644, 2 * 4096);
        DirectHolder holder = DirectHolder.map(ring);
        try {
            Files.delete(ring);

            assertThat(holder.call("write 0 still-here")).isEqualTo("ok");
            assertThat(peerRead(holder.gref(0), 0, 10)).isEqualTo("still-here");
            assertThat(Files.readString(gntfs.path(".grants"))).contains("/ring (deleted)\t0\t2\trw\t1\t");
            assertThat(gntfs.grantsInUse()).isEqualTo(2);

            holder.finish();
            gntfs.awaitUnlinkedRegionsReleased();
            assertThat(gntfs.grantsInUse()).isZero();
        } finally {
            holder.close();
        }
    }

    @Test
    void aShrinkBelowADirectMapping_isEBUSY_butAGrowOrAShrinkWithinItsLastPageIsNot() throws Exception {
        Path ring = region("ring", 0644, 2 * 4096);
        try (DirectHolder holder = DirectHolder.map(ring)) {
            assertThat(truncate(ring, 4096)).isEqualTo("EBUSY");
            assertThat(truncate(ring, 8000)).isEqualTo("ok");
            assertThat(truncate(ring, 5 * 4096)).isEqualTo("ok");
            assertThat(truncate(ring, 8192)).isEqualTo("ok");
            assertThat(holder.call("read 0 1")).isEqualTo("\0");
            holder.finish();
        }
        assertThat(truncate(ring, 0)).isEqualTo("ok");
        assertThat(gntfs.grantsInUse()).isZero();
    }

    @Test
    void aReader_neitherBlocksTheOwnersShrink_norKeepsTheGrantsAfterUnlink_andThenReadsZeros() throws Exception {
        Path ring = region("ring", 0644, 2 * 4096);
        try (DirectHolder writer = DirectHolder.map(ring)) {
            assertThat(writer.call("write 4096 secret")).isEqualTo("ok");
        }
        try (DirectHolder reader = DirectHolder.attempt(SecurityIT.AS_NOBODY, ring, false)) {
            assertThat(reader.firstLine()).startsWith("mapped 8192 ");
            assertThat(reader.call("read 4096 6")).isEqualTo("secret");

            assertThat(truncate(ring, 0)).isEqualTo("ok");
            assertThat(gntfs.grantsInUse()).isZero();
            assertThat(reader.call("read 4096 6")).isEqualTo("\0".repeat(6));

            assertThat(truncate(ring, 4096)).isEqualTo("ok");
            Files.delete(ring);
            gntfs.awaitUnlinkedRegionsReleased();
            assertThat(gntfs.grantsInUse()).isZero();
            assertThat(reader.call("read 0 4")).isEqualTo("\0".repeat(4));
        }
    }

    @Test
    void clientsKilledWithSigkill_leaveNoGrantsNoLoansAndNoDescriptors() throws Exception {
        Path kept = region("kept", 0644, 3 * 4096);
        Path doomed = region("doomed", 0644, 4 * 4096);
        long descriptors = openDescriptors();
        DirectHolder a = DirectHolder.map(kept);
        DirectHolder b = DirectHolder.map(doomed);
        DirectHolder c = DirectHolder.map(doomed);
        Files.delete(doomed);
        assertThat(openDescriptors()).isGreaterThan(descriptors);

        for (DirectHolder holder : List.of(a, b, c)) {
            holder.kill();
        }

        gntfs.awaitUnlinkedRegionsReleased();
        await(() -> gntfs.tree().liveRegions().stream().allMatch(r -> r.loanCount() == 0), "loans ended");
        await(() -> openDescriptors() <= descriptors, "descriptors back to " + descriptors);
        assertThat(gntfs.grantsInUse()).isEqualTo(3);
        assertThat(truncate(kept, 0)).isEqualTo("ok");
        assertThat(gntfs.grantsInUse()).isZero();
    }

    @Test
    void gntfsMap_printsTheGrefs_andHoldsTheRegionUntilItsInputEnds() throws Exception {
        Path ring = region("ring", 0644, 2 * 4096);
        Process map = new ProcessBuilder("java", "-jar", Proc.JAR.toString(), "map", ring.toString()).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(map.getInputStream(), UTF_8))) {
            assertThat(List.of(out.readLine(), out.readLine(), out.readLine()))
                    .containsExactly("size 8192", "domid 0", "grefs " + xattr(ring, "user.gnt.grefs"));
            assertThat(truncate(ring, 0)).isEqualTo("EBUSY");

            map.getOutputStream().close();
            assertThat(map.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(map.exitValue()).isZero();
        } finally {
            map.destroyForcibly();
        }
        await(() -> "ok".equals(truncate(ring, 0)), "the region free to shrink");
    }

    @Test
    void gntfsMap_saysInOneLineWhyNot() throws IOException {
        region("own600", 0600, 4096);
        Proc.Result refused = Proc.run(ImmutableList.<String>builder().addAll(SecurityIT.AS_NOBODY)
                .add("java", "-jar", Proc.readableByAll(Proc.JAR).toString(), "map", gntfs.path("own600").toString())
                .build());
        Proc.Result notGntfs = Proc.gntfs("map", Files.writeString(scratch.resolve("x"), "not a region"));

        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.err()).isEqualTo("gntfs map: open " + gntfs.path("own600") + ": Permission denied (EACCES)\n");
        assertThat(notGntfs.exit()).isEqualTo(1);
        assertThat(notGntfs.err()).isEqualTo("gntfs map: " + scratch.resolve("x") + " is not on a gntfs mount\n");
    }

    @Test
    void theCExample_mapsTheRegion_andItsStoreReachesThePeer() throws Exception {
        Path binary = scratch.resolve("gntmap");
        Proc.run(List.of("cc", "-O2", "-Wall", "-Werror", "-o", binary.toString(),
                DirectHolder.EXAMPLES.resolve("gntmap.c").toString())).assertOk();
        Path fb = region("fb", 0644, 4096);

        String out = Proc.run(List.of(binary.toString(), fb.toString(), "hello from C")).assertOk().out();

        String grefs = xattr(fb, "user.gnt.grefs");
        assertThat(out).isEqualTo("size 4096\ndomid 0\ngrefs " + grefs + "\nbytes hello from C\n");
        assertThat(peerRead(Integer.parseInt(grefs), 0, 12)).isEqualTo("hello from C");
    }

    @Test
    void theJavaApi_mapsTheVeryGrantedPages() throws Exception {
        Path ring = region("ring", 0644, 2 * 4096);
        try (GntRegion mapped = GntRegion.open(ring); SimulatedPeer peer = SimulatedPeer.attach(gntfs.tablePath())) {
            assertThat(mapped.size()).isEqualTo(8192);
            assertThat(mapped.grefs().toString().replaceAll("[\\[\\],]", "")).isEqualTo(xattr(ring, "user.gnt.grefs"));
            ByteBuffer bytes = mapped.buffer();
            bytes.put(4096, "java".getBytes(US_ASCII));
            try (GrantPeer.PeerPage page = peer.map(0, mapped.grefs().get(1), true)) {
                assertThat(new String(page.read(0, 4), US_ASCII)).isEqualTo("java");
                page.write(8, "back".getBytes(US_ASCII));
            }
            byte[] seen = new byte[4];
            bytes.get(4096 + 8, seen);
            assertThat(new String(seen, US_ASCII)).isEqualTo("back");
            assertThat(gntfs.tree().region("/ring").loanCount()).isEqualTo(1);
        }
        await(() -> gntfs.tree().region("/ring").loanCount() == 0, "the loan ended");

        assertThatThrownBy(() -> GntRegion.open(gntfs.path("missing")))
                .isInstanceOfSatisfying(NativeError.class, e -> assertThat(e.errno()).isEqualTo(2));
        assertThatThrownBy(() -> GntRegion.open(gntfs.path(".grants"), GntRegion.Access.READ))
                .isInstanceOfSatisfying(DirectMapException.class, e -> assertThat(e.errno()).isEqualTo(22));
        Files.writeString(scratch.resolve("x"), "not a region");
        assertThatThrownBy(() -> GntRegion.open(scratch.resolve("x"), GntRegion.Access.READ))
                .isInstanceOf(IOException.class)
                .hasMessage(scratch.resolve("x") + " is not on a gntfs mount");
    }

    private static String xattr(Path path, String name) {
        return Proc.run(List.of("getfattr", "--only-values", "-n", name, path.toString())).assertOk().out();
    }

    private static long openDescriptors() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    interface Condition {
        boolean holds() throws Exception;
    }

    static void await(Condition condition, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.holds()) {
            assertThat(System.nanoTime()).as("still not: " + what).isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
