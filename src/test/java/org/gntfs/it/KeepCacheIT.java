package org.gntfs.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code --keep-cache}: opens keep the kernel's cached pages, so re-reads skip the daemon, and
 * the next open no longer shows a peer's stores. That trade-off is why it is off by default.
 */
class KeepCacheIT {
    @RegisterExtension
    final MountedGntfs gntfs = MountedGntfs.keepingCache();

    @Test
    void anOpenKeepsTheCachedPages_soAPeerStoreIsNotSeen() {
        Path region = gntfs.path("fb");
        String read = RegionMountIT.PY + String.join("\n",
                "fd = os.open(sys.argv[1], os.O_RDONLY)",
                "print(os.read(fd, 11).decode())");
        Proc.python(RegionMountIT.PY + String.join("\n",
                "fd = os.open(sys.argv[1], os.O_CREAT | os.O_RDWR, 0o600)",
                "os.write(fd, b'local bytes')"), region).assertOk();
        assertThat(Proc.python(read, region).assertOk().out()).isEqualTo("local bytes\n");
        String gref = Proc.run(List.of("getfattr", "--only-values", "-n", "user.gnt.grefs", region.toString()))
                .assertOk().out().trim();

        Proc.gntfsWithInput("PEER".getBytes(UTF_8), "peer", "write", gntfs.root(), "--as", 0, "--gref", gref)
                .assertOk();

        assertThat(Proc.python(read, region).assertOk().out()).isEqualTo("local bytes\n");
        assertThat(Proc.gntfs("peer", "read", gntfs.root(), "--as", 0, "--gref", gref, "--length", 11)
                .assertOk().out()).isEqualTo("PEERl bytes");
    }
}
