package org.gntfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.util.Arrays;
import jnr.constants.platform.Errno;
import org.gntfs.nativeio.NativeError;
import org.gntfs.nativeio.Posix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Both directions of the translation, on errors of real system calls. */
class ErrnosTest {
    @TempDir
    Path dir;

    @Test
    void everyFaultHasItsOwnErrno() {
        assertThat(Arrays.stream(Fault.values()).map(Errnos::of).distinct()).hasSize(Fault.values().length);
        assertThat(Errnos.of(Fault.NO_SUCH_ATTRIBUTE)).isEqualTo(Errno.ENODATA.intValue());
        assertThat(Errnos.of(Fault.NOT_SUPPORTED)).isEqualTo(95);
        assertThat(Errnos.of(Fault.QUOTA_EXCEEDED)).isEqualTo(122);
        assertThat(Errnos.of(Fault.OUT_OF_MEMORY)).isEqualTo(12);
    }

    @Test
    void aMissingDeviceIsNotSupported_butAMissingFileOfTheDaemonsOwnIsItsIoError() {
        NativeError missing = openFailure(dir.resolve("absent"), Posix.O_RDONLY);
        assertThat(missing.is(Errno.ENOENT)).isTrue();
        assertThat(Errnos.deviceFault(missing)).isEqualTo(Fault.NOT_SUPPORTED);
        assertThat(Errnos.faultOf(missing)).isEqualTo(Fault.IO_ERROR);
        assertThat(GntfsException.causedBy(missing, "open: %s", missing.getMessage()).fault()).isEqualTo(Fault.IO_ERROR);
    }


    @Test
    void anErrnoThatSaysNothingToTheCallerIsAnIoError() {
        NativeError isDirectory = openFailure(dir, Posix.O_RDWR);
        assertThat(isDirectory.is(Errno.EISDIR)).isTrue();
        assertThat(Errnos.faultOf(isDirectory)).isEqualTo(Fault.IO_ERROR);
        assertThat(Errnos.deviceFault(isDirectory)).isEqualTo(Fault.IO_ERROR);
    }

    private static NativeError openFailure(Path path, int flags) {
        return catchThrowableOfType(NativeError.class, () -> Posix.close(Posix.open(path, flags, 0)));
    }
}
