package org.gntfs.it;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A region granted read-only ({@code user.gnt.writable=0}) is still written by a direct read-write
 * mapping: the FUSE path's coherence rules hold for those stores as for a peer's. A fresh open
 * reads them, and no writeback of a page cached before them puts the old bytes back.
 *
 * <p>The direct store is made with the Python client ({@code docs/examples/gntfs_direct.py}):
 * {@code gntfs peer write} refuses a read-only grant, so the peer cannot show this.
 */
class ReadOnlyGrantCoherenceIT {
    private static final String SCRIPT = RegionMountIT.PY + String.join("\n",
            "sys.path.insert(0, sys.argv[1])",
            "from gntfs_direct import Region",
            "p = sys.argv[2]",
            "def fresh_read():",
            "    fd = os.open(p, os.O_RDONLY)",
            "    try:",
            "        return os.read(fd, 9).decode()",
            "    finally:",
            "        os.close(fd)",
            "fd = os.open(p, os.O_CREAT | os.O_RDWR, 0o644)",
            "os.setxattr(p, 'user.gnt.writable', b'0')",
            "os.write(fd, b'old bytes')",
            "os.ftruncate(fd, 4096)",
            "os.close(fd)",
            "print(fresh_read())",
            "with Region(p) as r:",
            "    r.write(0, b'NEW')",
            "print(fresh_read())",
            "with Region(p) as r:",
            "    r.write(0, b'DIR')",
            "fd = os.open(p, os.O_RDWR)",
            "m = mmap.mmap(fd, 4096)",
            "m[100] = ord('m')",
            "m.flush()",
            "m.close()",
            "os.close(fd)",
            "with Region(p, write=False) as r:",
            "    print(r.read(0, 9).decode(), chr(r.read(100, 1)[0]))");

    @RegisterExtension
    final MountedGntfs gntfs = new MountedGntfs();

    @Test
    void aFreshOpen_readsADirectStore_andAFuseMappingsMsync_keepsIt() {
        String out = Proc.python(SCRIPT, DirectHolder.EXAMPLES, gntfs.path("ro")).assertOk().out();

        assertThat(out).isEqualTo("old bytes\nNEW bytes\nDIR bytes m\n");
        assertThat(gntfs.tree().region("/ro").writable()).isFalse();
    }
}
