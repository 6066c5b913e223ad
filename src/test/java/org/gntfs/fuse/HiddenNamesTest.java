package org.gntfs.fuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.gntfs.fuse.InProcessFs.errno;
import static org.gntfs.fuse.InProcessFs.fileInfo;
import static org.gntfs.fuse.InProcessFs.memory;
import static org.gntfs.fuse.InProcessFs.stat;
import static org.gntfs.fuse.InProcessFs.text;

import jnr.constants.platform.Errno;
import jnr.ffi.Pointer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.FuseFileInfo;

/**
 * libfuse 2's hiding of an unlinked open file, called as libfuse calls it: its own steps work, and
 * every call a user's lookup of the hidden name could become finds nothing.
 */
class HiddenNamesTest {
    private static final int O_RDWR = 2;
    private static final int NOBODY = 65534;
    private static final String HIDDEN = "/d/.fuse_hidden0000000200000001";

    @RegisterExtension
    final InProcessFs inProcess = new InProcessFs(16);

    private GntFuseFs fs() {
        return inProcess.fs();
    }

    /** Creates /d/r holding "kept", and hides it as libfuse does for {@code unlink("/d/r")}. */
    private FuseFileInfo openAndHidden() {
        assertThat(fs().mkdir("/d", 0755)).isZero();
        FuseFileInfo fi = fileInfo(O_RDWR);
        assertThat(fs().create("/d/r", FileStat.S_IFREG | 0600, fi)).isZero();
        assertThat(fs().write("/d/r", memory("kept"), 4, 0, fi)).isEqualTo(4);
        // hide_node: a getattr of the candidate until one is absent, then the rename.
        assertThat(fs().getattr(HIDDEN, stat())).isEqualTo(errno(Errno.ENOENT));
        assertThat(fs().rename("/d/r", HIDDEN)).isZero();
        return fi;
    }

    private String read(FuseFileInfo fi) {
        Pointer buffer = memory(4);
        int count = fs().read(HIDDEN, buffer, 4, 0, fi);
        return count < 0 ? "errno " + -count : text(buffer, count);
    }

    @Test
    void theHiddenName_isNotListedStatableRemovableOrRenamable_fromAnyDirectory() {
        FuseFileInfo fi = openAndHidden();
        inProcess.callAs(NOBODY, NOBODY);

        assertThat(inProcess.readdir("/d")).containsExactly(".", "..");
        assertThat(fs().getattr(HIDDEN, stat())).isEqualTo(errno(Errno.ENOENT));
        assertThat(fs().getattr("/.fuse_hidden0000000200000001", stat())).isEqualTo(errno(Errno.ENOENT));
        assertThat(fs().unlink(HIDDEN)).isEqualTo(errno(Errno.ENOENT));
        assertThat(fs().rename(HIDDEN, "/d/taken")).isEqualTo(errno(Errno.ENOENT));
        assertThat(fs().create(HIDDEN, FileStat.S_IFREG | 0600, fileInfo(O_RDWR))).isEqualTo(errno(Errno.EEXIST));
        assertThat(fs().mkdir("/.fuse_hidden0000000200000001", 0755)).isEqualTo(errno(Errno.EEXIST));

        inProcess.callAs(InProcessFs.CALLER_UID, InProcessFs.CALLER_GID);
        assertThat(read(fi)).isEqualTo("kept");
        FileStat open = stat();
        assertThat(fs().fgetattr(HIDDEN, open, fi)).isZero();
        assertThat(open.st_size.longValue()).isEqualTo(4);
        assertThat(fs().ftruncate(HIDDEN, 8192, fi)).isZero();
        assertThat(inProcess.grantsInUse()).isEqualTo(2);
    }

    @Test
    void libfuseAnswersFstatByPath_soTheTruePathAnswersItsOwnerAndRoot_onlyThat() {
        openAndHidden();

        FileStat stat = stat();
        assertThat(fs().getattr(HIDDEN, stat)).isZero();
        assertThat(stat.st_size.longValue()).isEqualTo(4);
        assertThat(fs().getattr("/.fuse_hidden0000000200000001", stat())).isEqualTo(errno(Errno.ENOENT));
        assertThat(fs().chmod(HIDDEN, 0640)).as("fchmod").isZero();
        inProcess.callAs(0, 0);
        assertThat(fs().getattr(HIDDEN, stat())).isZero();
        inProcess.callAs(NOBODY, NOBODY);
        assertThat(fs().getattr(HIDDEN, stat())).isEqualTo(errno(Errno.ENOENT));
    }

    @Test
    void onlyTheUnlinkAfterTheLastRelease_isLibfuses_andItReleasesTheGrants() {
        FuseFileInfo fi = openAndHidden();
        FuseFileInfo second = fileInfo(O_RDWR);
        assertThat(fs().open(HIDDEN, second)).as("a reopen through /proc/self/fd").isZero();

        assertThat(fs().release(HIDDEN, fi)).isZero();
        assertThat(fs().unlink(HIDDEN)).as("libfuse does not unlink while one is open").isEqualTo(errno(Errno.ENOENT));
        assertThat(fs().release(HIDDEN, second)).isZero();
        assertThat(fs().unlink(HIDDEN)).isZero();

        assertThat(inProcess.grantsInUse()).isZero();
        assertThat(fs().unlink(HIDDEN)).isEqualTo(errno(Errno.ENOENT));
        assertThat(fs().create(HIDDEN, FileStat.S_IFREG | 0600, fileInfo(O_RDWR))).as("the name is free again").isZero();
    }

    @Test
    void aClosedFile_renamedToAHiddenLookingName_isAnOrdinaryFile() {
        FuseFileInfo fi = fileInfo(O_RDWR);
        assertThat(fs().create("/s", FileStat.S_IFREG | 0600, fi)).isZero();
        assertThat(fs().release("/s", fi)).isZero();

        assertThat(fs().rename("/s", "/.fuse_hidden_mine")).isZero();

        assertThat(inProcess.readdir("/")).contains(".fuse_hidden_mine");
        assertThat(fs().getattr("/.fuse_hidden_mine", stat())).isZero();
        assertThat(fs().unlink("/.fuse_hidden_mine")).isZero();
    }
}
