package org.gntfs.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.base.Splitter;
import com.google.common.collect.ImmutableList;
import com.google.common.primitives.Ints;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.gntfs.GntfsException;
import org.gntfs.grant.GrantAllocation;
import org.gntfs.grant.GrantSpace;
import org.gntfs.grant.GrantPeer.PeerPage;
import org.gntfs.grant.xen.GntdevPeer;
import org.gntfs.grant.xen.XenGrantBackend;
import org.gntfs.protocol.Pages;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * gntfs mounted on real Xen grants in dom0, driven by other processes through real system calls,
 * with every gref checked from the grantee's side through gntdev. Runs only in a Xen domain
 * (mvn -Pxen).
 */
@Tag("xen")
class XenMountIT {
    private static final int PAGE = Pages.PAGE_SIZE;

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

    static List<Integer> grefs(Path region) {
        String value = Proc.run(List.of("getfattr", "--only-values", "-n", "user.gnt.grefs", region.toString()))
                .assertOk()
                .out();
        return Splitter.on(' ').omitEmptyStrings().splitToStream(value.trim()).map(Integer::valueOf).toList();
    }

    static String python(String script, Object... args) {
        return Proc.python(RegionMountIT.PY + script, args).assertOk().out();
    }

    /**
     * {@code gntfs ARGS} as its own JVM, tuned to start fast: in an emulated dom0 the start-up is
     * most of the time it takes.
     */
    static List<String> gntfs(Object... args) {
        ImmutableList.Builder<String> command = ImmutableList.<String>builder()
                .add("java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", Proc.JAR.toString());
        for (Object arg : args) {
            command.add(arg.toString());
        }
        return command.build();
    }

    @Test
    void aRegionWrittenThroughMmap_isWhatGntdevMapsByGref_andThePeersStoresComeBack() {
        Path region = gntfs.path("fb");
        python(String.join("\n",
                "fd = os.open(sys.argv[1], os.O_CREAT | os.O_RDWR, 0o600)",
                "os.ftruncate(fd, 4 * 4096)",
                "m = mmap.mmap(fd, 4 * 4096, mmap.MAP_SHARED)",
                "m[:] = bytes((i * 7 + 3) % 256 for i in range(4 * 4096))",
                "m.flush()"), region);
        List<Integer> grefs = grefs(region);

        assertThat(grefs).hasSize(4).doesNotHaveDuplicates();
        for (int page = 0; page < 4; page++) {
            try (PeerPage mapped = peer.map(0, grefs.get(page), true)) {
                byte[] bytes = mapped.read(0, PAGE);
                for (int i = 0; i < PAGE; i++) {
                    assertThat(bytes[i]).as("page %d byte %d", page, i).isEqualTo((byte) ((page * PAGE + i) * 7 + 3));
                }
                mapped.write(100, ("peer-" + page).getBytes(UTF_8));
            }
        }

        String seen = python(String.join("\n",
                "fd = os.open(sys.argv[1], os.O_RDWR)",
                "m = mmap.mmap(fd, 4 * 4096, mmap.MAP_SHARED)",
                "print(' '.join(m[p * 4096 + 100:p * 4096 + 106].decode() for p in range(4)))"), region);
        assertThat(seen.trim()).isEqualTo("peer-0 peer-1 peer-2 peer-3");
        String viaCli = Proc.run(gntfs("peer", "read", gntfs.root(), "--as", 0, "--gref", grefs.get(2),
                "--offset", 100, "--length", 6)).assertOk().out();
        assertThat(viaCli).isEqualTo("peer-2");
    }

    @Test
    void aGrow_keepsTheGrefPrefix_andAShrink_endsTheTailsGrants() {
        String out = python(String.join("\n",
                "p = sys.argv[1]",
                "for size in (2 * 4096, 6 * 4096, 3 * 4096 - 10):",
                "    open(p, 'ab').truncate(size)",
                "    print(os.getxattr(p, 'user.gnt.grefs').decode())"), gntfs.path("r"));
        List<List<Integer>> grefs = Splitter.on('\n').omitEmptyStrings().splitToStream(out)
                .map(line -> Splitter.on(' ').splitToStream(line).map(Integer::valueOf).toList())
                .toList();
        List<Integer> two = grefs.get(0);
        List<Integer> six = grefs.get(1);
        List<Integer> three = grefs.get(2);

        assertThat(six).hasSize(6).startsWith(two.toArray(Integer[]::new));
        assertThat(three).isEqualTo(six.subList(0, 3));
        assertThat(gntfs.grantsHeld()).isEqualTo(3);
        for (int gref : six.subList(3, 6)) {
            assertThatThrownBy(() -> peer.map(0, gref, false))
                    .isInstanceOf(GntfsException.class)
                    .hasMessage("gref %d is not granted to domain 0", gref);
        }
        try (PeerPage last = peer.map(0, three.get(2), false)) {
            assertThat(last.read(PAGE - 10, 10)).as("the bytes past the new size are zeroed").containsOnly(0);
        }
    }

    @Test
    void theUnmapNotify_clearsItsByteInAGntdevMapping_andPeerWatchSeesIt_whenTheRegionIsReleased()
            throws Exception {
        Path region = gntfs.path("ring");
        String grefs = python(String.join("\n",
                "fd = os.open(sys.argv[1], os.O_CREAT | os.O_RDWR, 0o600)",
                "os.pwrite(fd, b'\\x02\\x01\\x07', 4096 + 3)",
                "os.setxattr(sys.argv[1], 'user.gnt.notify', b'byte 4100')",
                "print(os.getxattr(sys.argv[1], 'user.gnt.grefs').decode())"), region);
        int gref = Integer.parseInt(Splitter.on(' ').splitToList(grefs.trim()).get(1));
        Process watch = new ProcessBuilder(gntfs("peer", "watch", gntfs.root(), "--as", 0, "--gref", gref,
                        "--offset", 4, "--timeout", 120))
                .redirectErrorStream(true)
                .start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(watch.getInputStream(), UTF_8));
                PeerPage mapped = peer.map(0, gref, false)) {
            assertThat(out.readLine()).isEqualTo("mapped gref " + gref + ", byte 4 is 1");
            assertThat(mapped.read(3, 3)).containsExactly(2, 1, 7);

            Files.delete(region);

            assertThat(mapped.read(3, 3)).containsExactly(2, 0, 7);
            assertThat(out.readLine()).isEqualTo("cleared");
            assertThat(watch.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(watch.exitValue()).isZero();
        } finally {
            watch.destroyForcibly();
        }
        assertThat(gntfs.grantsHeld()).isZero();
    }

    @Test
    void aGrowPastALoweredLimit_isENOSPC_andLeaksNothing() throws IOException {
        String limit = Files.readString(XenGrantBackend.LIMIT).trim();
        Files.writeString(XenGrantBackend.LIMIT, "16");
        try {
            String out = python(String.join("\n",
                    "p = sys.argv[1]",
                    "fd = os.open(p, os.O_CREAT | os.O_RDWR, 0o600)",
                    "os.ftruncate(fd, 8 * 4096)",
                    "print(attempt(os.ftruncate, fd, 24 * 4096), os.fstat(fd).st_size // 4096)",
                    "print(attempt(os.pwrite, fd, b'x', 20 * 4096), os.fstat(fd).st_size // 4096)",
                    "s = os.statvfs(os.path.dirname(p))",
                    "print(s.f_blocks, s.f_bfree)"), gntfs.path("a"));

            assertThat(out).isEqualTo("ENOSPC 8\nENOSPC 8\n16 8\n");
            assertThat(gntfs.tree().region("/a").grefs().length()).isEqualTo(8);
            assertThat(gntfs.grantsHeld()).isEqualTo(8);
        } finally {
            Files.writeString(XenGrantBackend.LIMIT, limit);
        }
        python("os.truncate(sys.argv[1], 24 * 4096)", gntfs.path("a"));
        assertThat(gntfs.grantsHeld()).isEqualTo(24);
    }

    @Test
    void unlinkWhileMapped_keepsThePagesGranted_untilTheLastUserIsGone() throws Exception {
        Path region = gntfs.path("u");
        Process holder = new ProcessBuilder("python3", "-c", RegionMountIT.PY + String.join("\n",
                        "p = sys.argv[1]",
                        "fd = os.open(p, os.O_CREAT | os.O_RDWR, 0o600)",
                        "os.ftruncate(fd, 2 * 4096)",
                        "m = mmap.mmap(fd, 2 * 4096, mmap.MAP_SHARED)",
                        "m[0:4] = b'kept'",
                        "grefs = os.getxattr(p, 'user.gnt.grefs').decode()",
                        "os.unlink(p)",
                        "m[5000:5004] = b'more'",
                        "m.flush()",
                        "print(grefs, os.path.exists(p), flush=True)",
                        "sys.stdin.readline()",
                        "m.close()",
                        "os.close(fd)",
                        "print('closed', flush=True)"), region.toString())
                .redirectErrorStream(true)
                .start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), UTF_8))) {
            List<String> words = Splitter.on(' ').splitToList(out.readLine());
            assertThat(words).hasSize(3).endsWith("False");
            int first = Ints.checkedCast(Long.parseLong(words.get(0)));
            int second = Ints.checkedCast(Long.parseLong(words.get(1)));
            try (PeerPage page0 = peer.map(0, first, false);
                    PeerPage page1 = peer.map(0, second, false)) {
                assertThat(page0.read(0, 4)).isEqualTo("kept".getBytes(UTF_8));
                assertThat(page1.read(5000 - PAGE, 4)).isEqualTo("more".getBytes(UTF_8));
            }
            assertThat(gntfs.grantsHeld()).isEqualTo(2);

            try (OutputStream in = holder.getOutputStream()) {
                in.write('\n');
            }
            assertThat(out.readLine()).isEqualTo("closed");
            assertThat(holder.waitFor(60, TimeUnit.SECONDS)).isTrue();
            awaitNoGrantsHeld();
            assertThatThrownBy(() -> peer.map(0, first, false)).hasMessage("gref %d is not granted to domain 0", first);
        } finally {
            holder.destroyForcibly();
        }
    }

    @Test
    void afterUnmount_everyGrantIsReleased_andTheWholeLimitCanBeAllocatedAgain() throws Exception {
        python(String.join("\n",
                "for name, pages in (('a', 3), ('b', 40), ('c', 1)):",
                "    open(os.path.join(sys.argv[1], name), 'wb').truncate(pages * 4096)"), gntfs.root());
        assertThat(gntfs.grantsHeld()).isEqualTo(44);

        gntfs.unmount();

        try (XenGrantBackend backend = XenGrantBackend.open(); GrantSpace space = backend.openSpace()) {
            int limit = Math.toIntExact(backend.usage().limit());
            GrantAllocation all = space.allocate(0, true, limit);
            assertThat(all.pages()).isEqualTo(limit);
            space.release(all, 0, limit);
        }
    }

    /** The kernel's release of a closed file reaches the daemon a moment after the close returns. */
    private void awaitNoGrantsHeld() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (gntfs.grantsHeld() > 0) {
            assertThat(System.nanoTime()).as("grants still held after 30 s").isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
