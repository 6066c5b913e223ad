package org.gntfs.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.collect.ImmutableList;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.gntfs.testing.CapturedLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The direct path tried as an attacker would, as uid 65534 (and as root without capabilities)
 * against root's regions: what a descriptor can do is what the kernel's open granted, no more,
 * and hostile clients cannot flood the log.
 */
class DirectSecurityIT {
    private static final List<String> AS_ROOT_WITHOUT_CAPABILITIES =
            List.of("setpriv", "--bounding-set=-all", "--inh-caps=-all", "--ambient-caps=-all");
    private static final List<String> AS_NOBODY_WITH_DAC_OVERRIDE = ImmutableList.<String>builder()
            .addAll(SecurityIT.AS_NOBODY).add("--inh-caps=+dac_override", "--ambient-caps=+dac_override").build();

    @RegisterExtension
    final MountedGntfs gntfs = new MountedGntfs(1024, 0);

    private Path region(String name, int mode, String content) {
        Path path = DirectHolder.createRegion(gntfs.path(name), mode, 2 * 4096);
        Proc.python(RegionMountIT.PY + "fd = os.open(sys.argv[1], os.O_WRONLY); os.pwrite(fd, sys.argv[2].encode(), 0)",
                path, content).assertOk();
        return path;
    }

    private static String attack(List<String> as, String... args) {
        ImmutableList.Builder<String> command = ImmutableList.<String>builder().addAll(as).add(SecurityIT.PYTHON,
                (as.isEmpty() ? Proc.script("direct_attack.py") : Proc.readableByAll(Proc.script("direct_attack.py"))).toString());
        return Proc.run(command.add(args).build()).assertOk().out().trim();
    }

    @Test
    void aReadOnlyAnswer_cannotBeTurnedIntoWriteAccess_byAnyRoute() {
        Path ring = region("ring", 0644, "root's bytes");

        String out = attack(SecurityIT.AS_NOBODY, "readonly", ring.toString());

        // ok r; then: reopen O_RDWR, fchmod, mmap PROT_WRITE, mprotect PROT_WRITE, pwrite, ftruncate.
        assertThat(out).isEqualTo("ok r EACCES EPERM EACCES EACCES EBADF EINVAL");
        assertThat(DirectMappingIT.truncate(ring, 4096)).isEqualTo("ok");
    }

    @Test
    void aWriter_cannotStoreOutsideItsRegionsPages_norMakeTheDaemonHoldUncountedMemory() {
        Path ring = region("ring", 0666, "shared");

        String out = attack(SecurityIT.AS_NOBODY, "beyond", ring.toString());

        // pwrite past the pages, pwrite at 1 TiB, ftruncate up, fallocate past: all refused by the seals.
        // One memfd of the region's two pages, of which only the first was ever written (8 blocks of 512 bytes).
        assertThat(out).isEqualTo("ok EPERM EPERM EPERM EPERM sizes 8192 blocks 8");
        assertThat(gntfs.grantsInUse()).isEqualTo(2);
    }

    @Test
    void aDescriptorThatIsNoOpenOfARegionOfThisMount_isRefused_andNoneIsKept() throws Exception {
        region("ring", 0644, "x");
        long before = daemonDescriptors();

        for (String kind : List.of("opath", "other", "two", "none")) {
            assertThat(attack(SecurityIT.AS_NOBODY, "send", kind, gntfs.path("ring").toString()))
                    .as(kind).isEqualTo("9 0");
        }

        DirectMappingIT.await(() -> daemonDescriptors() <= before, "the daemon's descriptors back to " + before);
        assertThat(gntfs.tree().region("/ring").loanCount()).isZero();
    }

    @Test
    void swappingDirectoriesWhileMapping_neverReachesARegionInAPrivateDirectory() throws Exception {
        Path shared = gntfs.path("shared");
        Files.createDirectory(shared);
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.createDirectory(shared.resolve("private"));
        Files.setPosixFilePermissions(shared.resolve("private"), PosixFilePermissions.fromString("rwx------"));
        region("shared/private/x", 0644, "secret");
        Proc.run(ImmutableList.<String>builder().addAll(SecurityIT.AS_NOBODY).add(SecurityIT.PYTHON, "-c",
                RegionMountIT.PY + String.join("\n",
                        "os.mkdir(sys.argv[1] + '/mine')",
                        "fd = os.open(sys.argv[1] + '/mine/x', os.O_CREAT | os.O_RDWR, 0o644)",
                        "os.ftruncate(fd, 4096)",
                        "os.pwrite(fd, b'public', 0)"), shared.toString()).build()).assertOk();

        String out = attack(SecurityIT.AS_NOBODY, "race", shared.toString(), "20000");

        assertThat(out).startsWith("opened ").endsWith(" leaked 0");
        assertThat(Integer.parseInt(out.split(" ")[1])).as("the race ran: some opens succeeded").isPositive();
    }

    @Test
    void privilegeIsTheKernels_capabilitiesCount_uidZeroAloneDoesNot() throws Exception {
        region("own600", 0600, "root only");
        Files.setOwner(gntfs.path("own600"), gntfs.path("own600").getFileSystem().getUserPrincipalLookupService()
                .lookupPrincipalByName("1000"));

        String catAsCapless = Proc.run(ImmutableList.<String>builder().addAll(AS_ROOT_WITHOUT_CAPABILITIES)
                .add("cat", gntfs.path("own600").toString()).build()).err();
        assertThat(catAsCapless).contains("Permission denied");
        try (DirectHolder capless = DirectHolder.attempt(AS_ROOT_WITHOUT_CAPABILITIES, gntfs.path("own600"), false);
                DirectHolder overriding = DirectHolder.attempt(AS_NOBODY_WITH_DAC_OVERRIDE, gntfs.path("own600"), true)) {
            assertThat(capless.firstLine()).isEqualTo("error EACCES");
            assertThat(overriding.firstLine()).startsWith("mapped 8192 ");
            assertThat(overriding.call("read 0 9")).isEqualTo("root only");
        }
    }

    @Test
    void symlinksDotAndDotDot_workAsForAnyOpen() throws Exception {
        region("ring", 0644, "ring");
        Files.createDirectory(gntfs.path("dir"));
        Path link = Files.createSymbolicLink(Files.createTempDirectory("gntfs-link-").resolve("link"), gntfs.path("ring"));
        try {
            for (String path : List.of(gntfs.root() + "/./ring", gntfs.root() + "/dir/../ring", link.toString())) {
                try (DirectHolder holder = DirectHolder.attempt(List.of(), Path.of(path), false)) {
                    assertThat(holder.firstLine()).as(path).startsWith("mapped 8192 ");
                    assertThat(holder.call("read 0 4")).isEqualTo("ring");
                }
            }
        } finally {
            Files.delete(link);
            Files.delete(link.getParent());
        }
    }

    @Test
    void fiveThousandHostileConnections_leaveABoundedLog() throws Exception {
        region("ring", 0644, "x");
        String socket = xattr(gntfs.root(), "user.gnt.socket");
        try (CapturedLog log = new CapturedLog()) {
            flood(socket);
            Thread.sleep(2000);

            long lines = log.text().lines().filter(line -> line.contains("DirectMapServer")).count();
            assertThat(lines).as(log.text().lines().limit(20).toList().toString()).isLessThanOrEqualTo(20);
        }
    }

    /** 5,000 connections as uid 65534, each reset at once, every other one after half a request. */
    private static void flood(String socket) {
        Proc.run(ImmutableList.<String>builder().addAll(SecurityIT.AS_NOBODY).add(SecurityIT.PYTHON, "-c", String.join("\n",
                "import socket, struct, sys",
                "for i in range(5000):",
                "    s = socket.socket(socket.AF_UNIX)",
                "    s.connect(sys.argv[1])",
                "    if i % 2:",
                "        s.send(b'map')",
                "    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))",
                "    s.close()"), socket).build()).assertOk();
    }

    private static String xattr(Path path, String name) {
        return Proc.run(List.of("getfattr", "--only-values", "-n", name, path.toString())).assertOk().out();
    }

    private static long daemonDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }
}
