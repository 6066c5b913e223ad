package org.gntfs.it;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The grant pool running out in the middle of a large write: what fits is written, the rest is ENOSPC, nothing leaks. */
class PoolExhaustionIT {
    private static final int POOL = 64;

    @RegisterExtension
    final MountedGntfs gntfs = new MountedGntfs(POOL, 0);

    @Test
    void aWriteLargerThanThePoolLeft_writesWhatFits_andTheFileHoldsExactlyThat() throws Exception {
        String out = Proc.python(RegionMountIT.PY + String.join("\n",
                "d = sys.argv[1]",
                "a = os.open(os.path.join(d, 'a'), os.O_CREAT | os.O_RDWR, 0o600)",
                "os.ftruncate(a, 20 * 4096)",
                "b = os.open(os.path.join(d, 'b'), os.O_CREAT | os.O_RDWR, 0o600)",
                "data = bytes(range(1, 256)) * (60 * 4096 // 255 + 1)",
                "data = data[:60 * 4096]",
                "n = os.write(b, data)",
                "size = os.fstat(b).st_size",
                "print(0 < n < len(data), n % 4096, size == n, os.pread(b, n + 10, 0) == data[:n])",
                "print(attempt(os.write, b, data), os.fstat(b).st_size == n)",
                "m = mmap.mmap(b, n, mmap.MAP_SHARED)",
                "m[n - 3:n] = b'end'",
                "m.close()",
                "print(os.pread(b, 3, n - 3), os.statvfs(d).f_bfree == (" + POOL + " - 20 - n // 4096))"),
                gntfs.root()).assertOk().out();

        assertThat(out).isEqualTo("True 0 True True\nENOSPC True\nb'end' True\n");
        assertThat(gntfs.pagesOfLiveRegions()).isEqualTo(gntfs.grantsInUse());
        assertThat(gntfs.tree().region("/a").pages()).isEqualTo(20);

        Proc.python(RegionMountIT.PY + "os.unlink(sys.argv[1])", gntfs.path("b")).assertOk();
        gntfs.awaitUnlinkedRegionsReleased();
        assertThat(gntfs.grantsInUse()).isEqualTo(20);
        gntfs.unmount();
        assertThat(gntfs.grantsInUse()).isZero();
    }
}
