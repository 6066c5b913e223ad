package org.gntfs.grant.xen;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jnr.ffi.Pointer;
import org.gntfs.nativeio.Posix;
import org.junit.jupiter.api.Test;

/** The gntalloc and gntdev ABI against the values of Linux's x86_64 headers, without Xen. */
class GntallocAbiTest {
    @Test
    void requestNumbers_areThoseOfTheLinuxHeaders() {
        assertThat(GntallocAbi.IOCTL_ALLOC_GREF).isEqualTo(0x00184705L);
        assertThat(GntallocAbi.IOCTL_DEALLOC_GREF).isEqualTo(0x00104706L);
        assertThat(GntallocAbi.IOCTL_SET_UNMAP_NOTIFY).isEqualTo(0x00104707L);
        assertThat(GntdevAbi.IOCTL_MAP_GRANT_REF).isEqualTo(0x00184700L);
        assertThat(GntdevAbi.IOCTL_UNMAP_GRANT_REF).isEqualTo(0x00104701L);
    }

    @Test
    void theEncoding_isDirectionNoneWithTheSizeInBits16To29() {
        assertThat(IoctlNumber.none('G', 3, 4)).isEqualTo(0x00044703L);
        assertThat(IoctlNumber.none('G', 12, 8)).isEqualTo(0x0008470cL);
    }

    @Test
    void allocGrefBuffer_holdsTheDeclaredStructAndEveryGref() {
        assertThat(GntallocAbi.allocGrefBufferSize(1)).isEqualTo(24);
        assertThat(GntallocAbi.allocGrefBufferSize(2)).isEqualTo(24);
        assertThat(GntallocAbi.allocGrefBufferSize(3)).isEqualTo(28);
        assertThat(GntallocAbi.allocGrefBufferSize(1024)).isEqualTo(16 + 4 * 1024);
    }

    @Test
    void allocGref_layout() {
        Pointer buffer = filled(GntallocAbi.allocGrefBufferSize(3));
        GntallocAbi.writeAllocGref(buffer, 0x1234, true, 3);
        ByteBuffer bytes = bytesOf(buffer, 28);

        assertThat(bytes.getShort(0)).isEqualTo((short) 0x1234);
        assertThat(bytes.getShort(2)).isEqualTo((short) 1);
        assertThat(bytes.getInt(4)).isEqualTo(3);
        assertThat(bytes.getLong(8)).isZero();

        GntallocAbi.writeAllocGref(buffer, 7, false, 1);
        assertThat(bytesOf(buffer, 4).getShort(2)).as("a read-only grant has no flag").isZero();

        // What the kernel writes back: the index at 8, the grefs from 16 on.
        buffer.putLong(8, 0x3000L);
        buffer.putInt(16, 8);
        buffer.putInt(20, 9);
        buffer.putInt(24, 10);
        assertThat(GntallocAbi.allocatedIndex(buffer)).isEqualTo(0x3000L);
        assertThat(GntallocAbi.allocatedGref(buffer, 0)).isEqualTo(8);
        assertThat(GntallocAbi.allocatedGref(buffer, 2)).isEqualTo(10);
    }

    @Test
    void deallocGref_layout() {
        Pointer buffer = filled(GntallocAbi.DEALLOC_GREF_SIZE);
        GntallocAbi.writeDeallocGref(buffer, 0x5000L, 4);
        ByteBuffer bytes = bytesOf(buffer, 16);

        assertThat(bytes.getLong(0)).isEqualTo(0x5000L);
        assertThat(bytes.getInt(8)).isEqualTo(4);
    }

    @Test
    void unmapNotify_layout() {
        Pointer buffer = filled(GntallocAbi.UNMAP_NOTIFY_SIZE);
        GntallocAbi.writeUnmapNotify(buffer, 0x2004L, GntallocAbi.NOTIFY_CLEAR_BYTE | GntallocAbi.NOTIFY_SEND_EVENT, 17);
        ByteBuffer bytes = bytesOf(buffer, 16);

        assertThat(bytes.getLong(0)).isEqualTo(0x2004L);
        assertThat(bytes.getInt(8)).isEqualTo(3);
        assertThat(bytes.getInt(12)).isEqualTo(17);
    }

    @Test
    void mapGrantRef_layout() {
        Pointer buffer = filled(GntdevAbi.MAP_GRANT_REF_SIZE);
        GntdevAbi.writeMapOneGrantRef(buffer, 5, 300);
        ByteBuffer bytes = bytesOf(buffer, 24);

        assertThat(bytes.getInt(0)).as("count").isEqualTo(1);
        assertThat(bytes.getInt(4)).as("pad").isZero();
        assertThat(bytes.getLong(8)).as("index").isZero();
        assertThat(bytes.getInt(16)).as("refs[0].domid").isEqualTo(5);
        assertThat(bytes.getInt(20)).as("refs[0].ref").isEqualTo(300);

        buffer.putLong(8, 0x7000L);
        assertThat(GntdevAbi.mappedIndex(buffer)).isEqualTo(0x7000L);
    }

    @Test
    void unmapGrantRef_layout() {
        Pointer buffer = filled(GntdevAbi.UNMAP_GRANT_REF_SIZE);
        GntdevAbi.writeUnmapGrantRef(buffer, 0x9000L, 1);
        ByteBuffer bytes = bytesOf(buffer, 16);

        assertThat(bytes.getLong(0)).isEqualTo(0x9000L);
        assertThat(bytes.getInt(8)).isEqualTo(1);
        assertThat(bytes.getInt(12)).isZero();
    }

    /** Native memory full of 0xff, so that a field left unwritten shows. */
    private static Pointer filled(int size) {
        Pointer buffer = Posix.allocate(size);
        buffer.setMemory(0, size, (byte) 0xff);
        return buffer;
    }

    private static ByteBuffer bytesOf(Pointer buffer, int size) {
        byte[] bytes = new byte[size];
        buffer.get(0, bytes, 0, size);
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }
}
