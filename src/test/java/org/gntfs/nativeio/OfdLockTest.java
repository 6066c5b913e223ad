package org.gntfs.nativeio;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import jnr.ffi.Pointer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Open-file-description byte locks: the ABI against Linux's x86_64 headers, and what the kernel does with them. */
class OfdLockTest {
    private Path file;

    @BeforeEach
    void createFile() throws IOException {
        file = Files.createTempFile(Path.of("/dev/shm"), "gntfs-ofd-", ".lock");
    }

    @AfterEach
    void deleteFile() throws IOException {
        Files.deleteIfExists(file);
    }

    @Test
    void constants_areThoseOfTheLinuxHeaders() {
        // <asm-generic/fcntl.h> and <bits/fcntl-linux.h>
        assertThat(Posix.F_OFD_GETLK).isEqualTo(36);
        assertThat(Posix.F_OFD_SETLK).isEqualTo(37);
        assertThat(Posix.F_RDLCK).isEqualTo((short) 0);
        assertThat(Posix.F_WRLCK).isEqualTo((short) 1);
        assertThat(Posix.F_UNLCK).isEqualTo((short) 2);
    }

    @Test
    void flock_isX86_64sStruct() {
        Pointer lock = Posix.flock(Posix.F_WRLCK, 0x1_2345_6789L);
        byte[] bytes = new byte[Posix.FLOCK_SIZE];
        lock.get(0, bytes, 0, bytes.length);
        ByteBuffer fields = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);

        assertThat(Posix.FLOCK_SIZE).isEqualTo(32);
        assertThat(fields.getShort(0)).as("l_type").isEqualTo((short) 1);
        assertThat(fields.getShort(2)).as("l_whence: SEEK_SET").isZero();
        assertThat(fields.getLong(8)).as("l_start").isEqualTo(0x1_2345_6789L);
        assertThat(fields.getLong(16)).as("l_len").isEqualTo(1);
        assertThat(fields.getInt(24)).as("l_pid: 0, as the OFD calls require").isZero();
    }

    @Test
    void aSharedLock_isSeenFromAnotherDescription_untilItsDescriptorCloses() throws NativeError {
        int asker = Posix.open(file, Posix.O_RDWR, 0);
        try {
            int holder = Posix.open(file, Posix.O_RDONLY, 0);
            int second = Posix.open(file, Posix.O_RDONLY, 0);
            Posix.lockByteShared(holder, 1000);
            Posix.lockByteShared(second, 1000);

            assertThat(Posix.isByteLocked(asker, 1000)).isTrue();
            assertThat(Posix.isByteLocked(asker, 999)).as("one byte only").isFalse();
            assertThat(Posix.isByteLocked(asker, 1001)).isFalse();
            assertThat(Posix.isByteLocked(holder, 1000)).as("the other holder's lock").isTrue();

            Posix.close(holder);
            assertThat(Posix.isByteLocked(asker, 1000)).as("shared locks coexist: the second stays").isTrue();
            Posix.close(second);
            assertThat(Posix.isByteLocked(asker, 1000)).isFalse();
        } finally {
            Posix.closeQuietly(asker);
        }
    }
}
