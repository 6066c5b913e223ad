package org.gntfs.engine.abi;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/**
 * The structs against the sizes and offsets of Linux's include/uapi/linux/fuse.h (7.45), as gcc's
 * sizeof and offsetof give them on x86_64: each view writes a distinct value per field, and the
 * test reads it back at the header's offset.
 */
class FuseAbiTest {
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(512).order(ByteOrder.nativeOrder());

    @Test
    void sizes_areThoseOfTheKernelHeader() {
        assertThat(InHeader.SIZE).isEqualTo(40);
        assertThat(OutHeader.SIZE).isEqualTo(16);
        assertThat(Attr.SIZE).isEqualTo(88);
        assertThat(EntryOut.SIZE).isEqualTo(128);
        assertThat(AttrOut.SIZE).isEqualTo(104);
        assertThat(OpenOut.SIZE).isEqualTo(16);
        assertThat(InitIn.SIZE).isEqualTo(64);
        assertThat(InitOut.SIZE).isEqualTo(64);
        assertThat(SetattrIn.SIZE).isEqualTo(88);
        assertThat(Kstatfs.SIZE).isEqualTo(80);
        assertThat(Dirent.HEADER).isEqualTo(24);
        assertThat(Dirent.PLUS_HEADER).isEqualTo(152);
        assertThat(Bodies.IO_SIZE).isEqualTo(40);
        assertThat(Bodies.CREATE_SIZE).isEqualTo(16);
        assertThat(Bodies.MKNOD_SIZE).isEqualTo(16);
        assertThat(Bodies.MKDIR_SIZE).isEqualTo(8);
        assertThat(Bodies.RENAME2_SIZE).isEqualTo(16);
        assertThat(Bodies.SETXATTR_SIZE).isEqualTo(16);
        assertThat(Bodies.GETXATTR_SIZE).isEqualTo(8);
        assertThat(Bodies.RELEASE_SIZE).isEqualTo(24);
        assertThat(Bodies.GETATTR_SIZE).isEqualTo(16);
        assertThat(Bodies.FORGET_ONE_SIZE).isEqualTo(16);
        assertThat(Bodies.FALLOCATE_SIZE).isEqualTo(32);
        assertThat(Bodies.FALLOCATE_MODE).as("after three u64s").isEqualTo(24);
        assertThat(Notify.INVAL_INODE_SIZE).isEqualTo(24);
        assertThat(Notify.INVAL_ENTRY_SIZE).isEqualTo(16);
    }

    @Test
    void inHeader_fields() {
        InHeader.put(buffer, 0x11, 0x22, 0x33L, 0x44L, 0x55, 0x66, 0x77);
        buffer.putShort(36, (short) 3);
        assertThat(buffer.getInt(0)).isEqualTo(0x11);
        assertThat(InHeader.opcode(buffer)).isEqualTo(buffer.getInt(4)).isEqualTo(0x22);
        assertThat(InHeader.unique(buffer)).isEqualTo(buffer.getLong(8)).isEqualTo(0x33L);
        assertThat(InHeader.nodeId(buffer)).isEqualTo(buffer.getLong(16)).isEqualTo(0x44L);
        assertThat(InHeader.uid(buffer)).isEqualTo(buffer.getInt(24));
        assertThat(InHeader.gid(buffer)).isEqualTo(buffer.getInt(28));
        assertThat(InHeader.pid(buffer)).isEqualTo(buffer.getInt(32)).isEqualTo(0x77);
        assertThat(InHeader.extensionUnits(buffer)).isEqualTo(3);
    }

    @Test
    void attr_fieldsSitAtTheHeadersOffsets() {
        new Attr(buffer, 0).clear().ino(1).size(2).blocks(3).atime(4, 5).mtime(6, 7).ctime(8, 9)
                .mode(10).nlink(11).owner(12, 13).blksize(14);
        assertThat(buffer.getLong(0)).isEqualTo(1);
        assertThat(buffer.getLong(8)).isEqualTo(2);
        assertThat(buffer.getLong(16)).isEqualTo(3);
        assertThat(buffer.getLong(24)).isEqualTo(4);
        assertThat(buffer.getLong(32)).isEqualTo(6);
        assertThat(buffer.getLong(40)).isEqualTo(8);
        assertThat(buffer.getInt(48)).isEqualTo(5);
        assertThat(buffer.getInt(52)).isEqualTo(7);
        assertThat(buffer.getInt(56)).isEqualTo(9);
        assertThat(buffer.getInt(60)).isEqualTo(10);
        assertThat(buffer.getInt(64)).isEqualTo(11);
        assertThat(buffer.getInt(68)).isEqualTo(12);
        assertThat(buffer.getInt(72)).isEqualTo(13);
        assertThat(buffer.getInt(76)).as("rdev").isZero();
        assertThat(buffer.getInt(80)).isEqualTo(14);
        assertThat(buffer.getInt(84)).as("flags").isZero();
    }

    @Test
    void entryOut_validityThenAttr() {
        EntryOut entry = new EntryOut(buffer, 16);
        entry.node(21, 22).validity(new Timeout(23, 24), new Timeout(25, 26)).attr().clear().ino(27);
        assertThat(buffer.getLong(16)).isEqualTo(21);
        assertThat(buffer.getLong(24)).isEqualTo(22);
        assertThat(buffer.getLong(32)).as("entry_valid").isEqualTo(23);
        assertThat(buffer.getLong(40)).as("attr_valid").isEqualTo(25);
        assertThat(buffer.getInt(48)).as("entry_valid_nsec").isEqualTo(24);
        assertThat(buffer.getInt(52)).as("attr_valid_nsec").isEqualTo(26);
        assertThat(buffer.getLong(56)).as("attr.ino at 40").isEqualTo(27);
    }

    @Test
    void attrOut_andOpenOut() {
        AttrOut.put(buffer, 0, new Timeout(31, 32)).clear().ino(33);
        assertThat(buffer.getLong(0)).isEqualTo(31);
        assertThat(buffer.getInt(8)).isEqualTo(32);
        assertThat(buffer.getLong(16)).isEqualTo(33);
        OpenOut.put(buffer, 200, 41, OpenOut.KEEP_CACHE);
        assertThat(buffer.getLong(200)).isEqualTo(41);
        assertThat(buffer.getInt(208)).isEqualTo(2);
    }

    @Test
    void initOut_fields_andFlags2() {
        new InitOut(7, 45, 131072, InitFlags.INIT_EXT | InitFlags.PASSTHROUGH | InitFlags.ASYNC_READ, 64, 48,
                1 << 20, 1, 256).write(buffer, 0);
        assertThat(buffer.getInt(0)).isEqualTo(7);
        assertThat(buffer.getInt(4)).isEqualTo(45);
        assertThat(buffer.getInt(8)).isEqualTo(131072);
        assertThat(buffer.getInt(12)).isEqualTo(0x40000001);
        assertThat(buffer.getShort(16)).isEqualTo((short) 64);
        assertThat(buffer.getShort(18)).isEqualTo((short) 48);
        assertThat(buffer.getInt(20)).isEqualTo(1 << 20);
        assertThat(buffer.getInt(24)).isEqualTo(1);
        assertThat(buffer.getShort(28)).isEqualTo((short) 256);
        assertThat(buffer.getInt(32)).as("flags2: bit 37 is bit 5").isEqualTo(1 << 5);
        assertThat(InitOut.sizeFor(22)).isEqualTo(24);
        assertThat(InitOut.sizeFor(23)).isEqualTo(64);
    }

    @Test
    void initIn_readsFlags2OnlyWithInitExt_andTheOldShortBody() {
        buffer.putInt(0, 7).putInt(4, 45).putInt(8, 65536).putInt(12, (int) InitFlags.INIT_EXT).putInt(16, 1 << 5);
        assertThat(InitIn.read(buffer, 0, 64).flags()).isEqualTo(InitFlags.INIT_EXT | InitFlags.PASSTHROUGH);
        buffer.putInt(12, 1);
        assertThat(InitIn.read(buffer, 0, 64).flags()).isEqualTo(1);
        assertThat(InitIn.read(buffer, 0, 16)).isEqualTo(new InitIn(7, 45, 65536, 1));
    }

    @Test
    void setattrIn_fieldsSitAtTheHeadersOffsets() {
        buffer.putInt(0, SetattrIn.ATIME | SetattrIn.MTIME_NOW).putLong(8, 81).putLong(16, 82)
                .putLong(32, 83).putLong(40, 84).putInt(56, 85).putInt(60, 86).putInt(68, 87).putInt(76, 88)
                .putInt(80, 89);
        SetattrIn in = new SetattrIn(buffer, 0);
        assertThat(in.has(SetattrIn.ATIME)).isTrue();
        assertThat(in.has(SetattrIn.MTIME)).isFalse();
        assertThat(in.has(SetattrIn.MTIME_NOW)).isTrue();
        assertThat(in.handle()).isEqualTo(81);
        assertThat(in.size()).isEqualTo(82);
        assertThat(in.atimeSeconds()).isEqualTo(83);
        assertThat(in.mtimeSeconds()).isEqualTo(84);
        assertThat(in.atimeNanos()).isEqualTo(85);
        assertThat(in.mtimeNanos()).isEqualTo(86);
        assertThat(in.mode()).isEqualTo(87);
        assertThat(in.uid()).isEqualTo(88);
        assertThat(in.gid()).isEqualTo(89);
        assertThat(SetattrIn.KILL_SUIDGID).isEqualTo(0x800);
    }

    @Test
    void dirents_arePaddedTo8_withTheTypeFromTheMode() {
        assertThat(Dirent.size(1)).isEqualTo(32);
        assertThat(Dirent.size(8)).isEqualTo(32);
        assertThat(Dirent.size(9)).isEqualTo(40);
        assertThat(Dirent.plusSize(1)).isEqualTo(160);
        Dirent.put(buffer, 0, 91, 92, 0040755, new byte[] {'a', 'b', 'c'});
        assertThat(buffer.getLong(0)).isEqualTo(91);
        assertThat(buffer.getLong(8)).isEqualTo(92);
        assertThat(buffer.getInt(16)).isEqualTo(3);
        assertThat(buffer.getInt(20)).as("DT_DIR").isEqualTo(4);
        assertThat(buffer.get(24)).isEqualTo((byte) 'a');
        assertThat(buffer.get(27)).as("padding").isZero();
    }

    @Test
    void kstatfs_fields() {
        new Kstatfs(1, 2, 3, 4, 5, 6, 7, 8).write(buffer, 0);
        assertThat(buffer.getLong(32)).isEqualTo(5);
        assertThat(buffer.getInt(40)).as("bsize").isEqualTo(6);
        assertThat(buffer.getInt(44)).as("namelen").isEqualTo(7);
        assertThat(buffer.getInt(48)).as("frsize").isEqualTo(8);
    }

    @Test
    void flagBits_areThoseOfTheHeader() {
        assertThat(InitFlags.MAX_PAGES).isEqualTo(0x400000L);
        assertThat(InitFlags.HANDLE_KILLPRIV_V2).isEqualTo(0x10000000L);
        assertThat(InitFlags.INIT_EXT).isEqualTo(0x40000000L);
        assertThat(InitFlags.DO_READDIRPLUS).isEqualTo(1L << 13);
        assertThat(InitFlags.PARALLEL_DIROPS).isEqualTo(1L << 18);
    }
}
