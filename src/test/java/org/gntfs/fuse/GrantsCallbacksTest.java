package org.gntfs.fuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.gntfs.fuse.InProcessFs.fileInfo;
import static org.gntfs.fuse.InProcessFs.memory;
import static org.gntfs.fuse.InProcessFs.stat;
import static org.gntfs.fuse.InProcessFs.text;

import jnr.constants.platform.Errno;
import jnr.ffi.Pointer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.FuseFileInfo;

/** {@code .grants} through the adapter's callbacks: size 0, a snapshot per open, every change refused. */
class GrantsCallbacksTest {
    private static final String GRANTS = "/.grants";
    private static final int EPERM = -Errno.EPERM.intValue();

    @RegisterExtension
    final InProcessFs inProcess = new InProcessFs(16);

    private GntFuseFs fs;

    @BeforeEach
    void createARegion() {
        fs = inProcess.fs();
        FuseFileInfo fi = fileInfo(2);
        assertThat(fs.create("/r", FileStat.S_IFREG | 0600, fi)).isZero();
        assertThat(fs.ftruncate("/r", 4096, fi)).isZero();
        assertThat(fs.release("/r", fi)).isZero();
    }

    @Test
    void getattr_showsAReadOnlyFileOfSize0() {
        FileStat stat = stat();

        assertThat(fs.getattr(GRANTS, stat)).isZero();

        assertThat(stat.st_mode.intValue()).isEqualTo(FileStat.S_IFREG | 0444);
        assertThat(stat.st_size.longValue()).isZero();
        assertThat(stat.st_nlink.intValue()).isEqualTo(1);
    }

    @Test
    void anOpen_takesASnapshot_readWithDirectIo() {
        FuseFileInfo fi = fileInfo(0);
        assertThat(fs.open(GRANTS, fi)).isZero();
        assertThat(fs.unlink("/r")).isZero();
        String expected = "path\tdomid\tpages\taccess\tdirect\tgrefs\n/r\t0\t1\trw\t0\t8\n";

        Pointer buffer = memory(4096);
        int count = fs.read(GRANTS, buffer, 4096, 0, fi);
        Pointer tail = memory(4096);
        int past = fs.read(GRANTS, tail, 4096, 10, fi);

        assertThat(FuseStructs.hasOpenFlag(fi, FuseStructs.DIRECT_IO_BIT)).isTrue();
        assertThat(text(buffer, count)).isEqualTo(expected);
        assertThat(text(tail, past)).isEqualTo(expected.substring(10));
        assertThat(fs.fgetattr(GRANTS, stat(), fi)).isZero();
        assertThat(fs.release(GRANTS, fi)).isZero();
        assertThat(fs.write(GRANTS, memory("x"), 1, 0, fi)).isEqualTo(-Errno.EBADF.intValue());
    }

    @Test
    void everyChange_isRefused_withTheDocumentedErrno() {
        assertThat(fs.chmod(GRANTS, 0666)).isEqualTo(EPERM);
        assertThat(fs.chown(GRANTS, 1, 1)).isEqualTo(EPERM);
        assertThat(fs.utimens(GRANTS, InProcessFs.times(1, 2))).isEqualTo(EPERM);
        assertThat(fs.truncate(GRANTS, 0)).isEqualTo(EPERM);
        assertThat(fs.rename(GRANTS, "/moved")).isEqualTo(EPERM);
        assertThat(fs.rename("/r", GRANTS)).isEqualTo(EPERM);
        assertThat(fs.unlink(GRANTS)).isEqualTo(EPERM);
        assertThat(fs.link(GRANTS, "/hard")).isEqualTo(EPERM);
        assertThat(fs.setxattr(GRANTS, "user.note", memory("x"), 1, 0)).isEqualTo(EPERM);
        assertThat(fs.removexattr(GRANTS, "user.note")).isEqualTo(EPERM);
        assertThat(fs.mkdir(GRANTS, 0755)).isEqualTo(-Errno.EEXIST.intValue());
        assertThat(fs.open(GRANTS, fileInfo(1))).isEqualTo(-Errno.EACCES.intValue());
        assertThat(fs.open(GRANTS, fileInfo(2))).isEqualTo(-Errno.EACCES.intValue());
        assertThat(fs.listxattr(GRANTS, memory(1), 0)).isZero();
        assertThat(fs.getxattr(GRANTS, "user.note", memory(1), 0)).isEqualTo(-Errno.ENODATA.intValue());

        FileStat stat = stat();
        assertThat(fs.getattr(GRANTS, stat)).isZero();
        assertThat(stat.st_mode.intValue()).isEqualTo(FileStat.S_IFREG | 0444);
        assertThat(inProcess.readdir("/")).containsExactly(".", "..", ".grants", "r");
    }

    @Test
    void aWriteThroughAReadHandle_isRefused() {
        FuseFileInfo fi = fileInfo(0);
        assertThat(fs.open(GRANTS, fi)).isZero();

        assertThat(fs.write(GRANTS, memory("x"), 1, 0, fi)).isEqualTo(EPERM);
        assertThat(fs.ftruncate(GRANTS, 0, fi)).isEqualTo(EPERM);
    }
}
