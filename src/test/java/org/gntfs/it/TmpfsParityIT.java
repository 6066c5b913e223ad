package org.gntfs.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.collect.ImmutableList;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.gntfs.region.Region;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * fallocate, lseek's SEEK_DATA and SEEK_HOLE, and utimensat with one time, from another process
 * ({@code tmpfs_parity.py}), with a directory of /dev/shm as the oracle: the same calls give the
 * same lines, errnos, sizes, bytes and time changes. Where gntfs differs on purpose (a sparse
 * write, a grow past the pool, ZERO_RANGE, which tmpfs lacks), the test says what each gives.
 */
class TmpfsParityIT {
    private static final Path SCRIPT = Proc.script("tmpfs_parity.py");
    private static final int PAGE = 4096;

    @RegisterExtension
    final MountedGntfs gntfs = new MountedGntfs(1024, 0);

    @RegisterExtension
    final TmpfsOracle oracle = new TmpfsOracle();

    @Test
    void fallocate_everyMode_givesWhatTmpfsGives_andThePagesHoldTheBytes() throws IOException {
        String onGntfs = onBoth("fallocate");

        assertThat(onGntfs).contains(
                "mode=0x0 off=4096 len=12288 ok size=16384 mtime=changed ctime=changed",
                "mode=0x1 off=24576 len=204800 ok size=20481 mtime=changed",
                "mode=0x3 off=100 len=50 ok size=20481",
                "mode=0x2 off=0 len=10 ENOTSUP size=20481 mtime=same ctime=same",
                "mode=0x8 off=0 len=4096 ENOTSUP", "mode=0x20 off=0 len=4096 ENOTSUP",
                "mode=0x0 off=-1 len=10 EINVAL", "mode=0x0 off=9223372036854775806 len=10 EFBIG",
                "posix_fallocate ok 36867", "read-only fd EBADF EBADF", "directory fd EBADF EBADF");
        assertGrantedPagesHoldWhatTmpfsHolds("f");
    }

    @Test
    void aPunch_isSeenAsZerosByMappings_evenOverTheirOwnUnwrittenStores_andKeepsTheGrefs() throws IOException {
        Path region = gntfs.path("m");
        String onGntfs = onBoth("mapped-punch");

        assertThat(onGntfs).contains("punch ok", "zeros True");
        assertGrantedPagesHoldWhatTmpfsHolds("m");
        String grefs = grefs(region);
        Proc.python(String.join("\n", "import ctypes, os, sys",
                "fd = os.open(sys.argv[1], os.O_RDWR)",
                "assert ctypes.CDLL(None).fallocate(fd, 3, ctypes.c_long(0), ctypes.c_long(4 * 4096)) == 0"),
                region).assertOk();
        assertThat(grefs(region)).as("a punch keeps every grant").isEqualTo(grefs);
        assertThat(MountedGntfs.grantedBytes((Region) gntfs.tree().lookup("/m"))).containsOnly(0);
    }

    /** tmpfs has no ZERO_RANGE: the oracle punches, then grows, which is what ZERO_RANGE means. */
    @Test
    void zeroRange_isAPunchAndAGrow_onTheGrantedPages() throws IOException {
        onBoth("zero-range");
        assertGrantedPagesHoldWhatTmpfsHolds("z");

        assertThat(run(gntfs.root(), "zero-range-support")).startsWith("zero range ok ok");
        assertThat(run(oracle.path(), "zero-range-support")).startsWith("zero range ENOTSUP ENOTSUP");
    }

    @Test
    void fallocatePastThePool_isEnospc_andLeavesTheRegionAsItWas() {
        String lines = run(gntfs.root(), "grow-past-the-pool");

        String unchanged = "size=4097 len=4097 sha=";
        assertThat(lines.lines()).hasSize(6).satisfiesExactly(
                line -> assertThat(line).startsWith("mode=0x0 len=67108864 ENOSPC " + unchanged),
                line -> assertThat(line).startsWith("mode=0x10 len=67108864 ENOSPC " + unchanged),
                line -> assertThat(line).as("nothing is reserved past the size").startsWith("mode=0x1 len=67108864 ok " + unchanged),
                line -> assertThat(line).startsWith("mode=0x0 len=17592186044417 EFBIG " + unchanged),
                line -> assertThat(line).startsWith("mode=0x0 len=8192 ok size=8192 len=8192 sha="),
                line -> assertThat(line).isEqualTo("posix_fallocate ENOSPC 8192"));
        assertThat(gntfs.grantsInUse()).isEqualTo(2).isEqualTo(gntfs.pagesOfLiveRegions());
    }

    @Test
    void theGrantsFile_cannotBeOpenedForWriting_soFallocateIsEbadf() {
        assertThat(run(gntfs.root(), "virtual-file")).isEqualTo("open for writing EACCES\nfallocate EBADF EBADF EBADF");
    }

    /** The kernel's own answer when LSEEK is ENOSYS: the whole file is data, as tmpfs says of a written file. */
    @Test
    void seekDataAndHole_answerAsTmpfs_forAFileWithoutHoles() {
        assertThat(onBoth("lseek")).isEqualTo(String.join("\n",
                "DATA 0:0 1:1 4095:4095 4096:4096 8193:8193 12292:12292 12293:ENXIO 12294:ENXIO 1099511627776:ENXIO",
                "HOLE 0:12293 1:12293 4095:12293 4096:12293 8193:12293 12292:12293 12293:ENXIO 12294:ENXIO"
                        + " 1099511627776:ENXIO",
                "empty ENXIO ENXIO"));
    }

    @Test
    void utimensat_withOneTime_nowOrOmit_setsExactlyThatTime_andCtime() {
        assertThat(onBoth("times")).isEqualTo(String.join("\n",
                "explicit ok atime=1000000000005 mtime=2000000000250 ctime=changed",
                "touch -a ok atime=now mtime=same ctime=changed",
                "explicit ok atime=3000000000000 mtime=4000999999999 ctime=changed",
                "touch -m ok atime=same mtime=now ctime=changed",
                "atime only ok atime=5000000000001 mtime=same ctime=changed",
                "mtime only ok atime=same mtime=6000000000002 ctime=changed",
                "omit both ok atime=same mtime=same ctime=same",
                "now both ok atime=now mtime=now ctime=changed",
                "NULL ok atime=now mtime=now ctime=changed",
                "before 1970 ok atime=-1000000005 mtime=0 ctime=changed"));
    }

    /** Write permission lets another user set both times to now, never one time or an explicit one. */
    @Test
    void utimensat_asAnotherUser_isRefusedExactlyWhereTmpfsRefusesIt() {
        run(gntfs.root(), "times-setup");
        run(oracle.path(), "times-setup");

        String onGntfs = asNobody(gntfs.root());
        assertThat(onGntfs).isEqualTo(asNobody(oracle.path())).isEqualTo(String.join("\n",
                "all-write NULL:ok now-now:ok now-omit:EPERM omit-now:EPERM omit-omit:ok explicit:EPERM"
                        + " omit-explicit:EPERM explicit-now:EPERM",
                "owner-write NULL:EACCES now-now:EACCES now-omit:EPERM omit-now:EPERM omit-omit:ok explicit:EPERM"
                        + " omit-explicit:EPERM explicit-now:EPERM"));
    }

    /**
     * A documented difference: every page up to the size is granted, so a byte at 2 GiB needs
     * 524,289 grants, past the pool, where tmpfs makes a sparse file. Nothing is left half made.
     */
    @Test
    void aSparseWrite_isEnospc_withNothingGranted_whereTmpfsMakesASparseFile() throws InterruptedException {
        String onTmpfs = run(oracle.path(), "sparse-write");
        String onGntfs = run(gntfs.root(), "sparse-write");

        assertThat(onTmpfs).startsWith("pwrite 1 size 2147483650\n");
        assertThat(onGntfs).isEqualTo("pwrite ENOSPC size 0\npwrite near 1 size 12289");
        assertThat(gntfs.grantsInUse()).isEqualTo(4).isEqualTo(gntfs.pagesOfLiveRegions());
        assertThat(gntfs.tree().liveRegions()).singleElement().satisfies(region -> assertThat(region.grefs().length()).isEqualTo(4));
    }

    /** Runs a case on gntfs and on tmpfs; the lines must agree. Returns gntfs's. */
    private String onBoth(String testCase) {
        String onGntfs = run(gntfs.root(), testCase);
        assertThat(onGntfs).as("gntfs against tmpfs, case %s", testCase).isEqualTo(run(oracle.path(), testCase));
        return onGntfs;
    }

    private static String run(Path root, String testCase) {
        return Proc.run(List.of("python3", SCRIPT.toString(), root.toString(), testCase)).assertOk().out().strip();
    }

    private static String asNobody(Path root) {
        return Proc.run(ImmutableList.<String>builder().addAll(SecurityIT.AS_NOBODY)
                .add(SecurityIT.PYTHON, Proc.readableByAll(SCRIPT).toString(), root.toString(), "times-as-other").build())
                .assertOk().out().strip();
    }

    /** The granted pages, which a peer maps, hold the bytes of the file on tmpfs. */
    private void assertGrantedPagesHoldWhatTmpfsHolds(String name) throws IOException {
        Region region = (Region) gntfs.tree().lookup("/" + name);
        assertThat(MountedGntfs.grantedBytes(region)).isEqualTo(Files.readAllBytes(oracle.path().resolve(name)));
        assertThat(region.grefs().length()).as("every page up to the size is granted").isEqualTo((int) region.pages());
        assertThat(gntfs.grantsInUse()).isEqualTo(gntfs.pagesOfLiveRegions());
    }

    private static String grefs(Path region) {
        return Proc.run(List.of("getfattr", "--only-values", "-n", "user.gnt.grefs", region.toString())).assertOk().out();
    }
}
