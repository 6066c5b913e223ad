package org.gntfs.fuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.gntfs.fuse.InProcessFs.fileInfo;
import static org.gntfs.fuse.InProcessFs.memory;

import jnr.constants.platform.Errno;
import org.gntfs.region.DirectMapping;
import org.gntfs.region.Region;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.FuseFileInfo;

/** Event ports and the kernel's page cache: what depends on who may write or name what. */
class WhoMayCallbacksTest {
    private static final int O_RDWR = 2;

    @RegisterExtension
    final InProcessFs inProcess = new InProcessFs(16);

    private GntFuseFs fs() {
        return inProcess.fs();
    }

    private int setNotify(String value) {
        return fs().setxattr("/r", "user.gnt.notify", memory(value), value.length(), 0);
    }

    private Region regionOfOnePage() {
        FuseFileInfo fi = fileInfo(O_RDWR);
        assertThat(fs().create("/r", FileStat.S_IFREG | 0600, fi)).isZero();
        assertThat(fs().ftruncate("/r", 4096, fi)).isZero();
        return inProcess.tree().region("/r");
    }

    @Test
    void anEventPort_isNamedOnlyByRootOrTheMountsOwner_aByteByTheRegionsOwner() {
        Region region = regionOfOnePage();

        assertThat(setNotify("event 77")).isEqualTo(-Errno.EPERM.intValue());
        assertThat(setNotify("byte 1 event 77")).isEqualTo(-Errno.EPERM.intValue());
        assertThat(setNotify("byte 1")).isZero();
        assertThat(region.notifySpec().format()).isEqualTo("byte 1");

        inProcess.callAs(0, 0);
        assertThat(setNotify("byte 2 event 77")).isZero();
        inProcess.callAs(InProcessFs.CALLER_UID, InProcessFs.CALLER_GID);
        assertThat(fs().removexattr("/r", "user.gnt.notify")).as("the owner may drop it").isZero();
        assertThat(region.notifySpec().isNone()).isTrue();
    }

    private boolean keepsCache() {
        FuseFileInfo fi = fileInfo(0);
        assertThat(fs().open("/r", fi)).isZero();
        boolean kept = FuseStructs.hasOpenFlag(fi, FuseStructs.KEEP_CACHE_BIT);
        assertThat(fs().release("/r", fi)).isZero();
        return kept;
    }

    @Test
    void aReadOnlyGrant_keepsTheCache_untilTheRegionIsFirstLentForWriting_andNeverAgainAfter() {
        FuseFileInfo fi = fileInfo(O_RDWR);
        assertThat(fs().create("/r", FileStat.S_IFREG | 0600, fi)).isZero();
        assertThat(fs().setxattr("/r", "user.gnt.writable", memory("0"), 1, 0)).isZero();
        assertThat(fs().ftruncate("/r", 4096, fi)).isZero();
        Region region = inProcess.tree().region("/r");
        assertThat(keepsCache()).isTrue();

        region.lend(false).close();
        assertThat(keepsCache()).as("a read-only loan stores nothing").isTrue();
        DirectMapping loan = region.lend(true);
        assertThat(keepsCache()).isFalse();
        loan.close();
        assertThat(keepsCache()).as("the stores made meanwhile are still behind the cache").isFalse();
    }
}
