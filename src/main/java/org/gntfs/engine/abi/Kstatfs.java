package org.gntfs.engine.abi;

import java.nio.ByteBuffer;

/** {@code struct fuse_kstatfs} (80 bytes), the reply to STATFS. */
public record Kstatfs(long blocks, long freeBlocks, long availableBlocks, long files, long freeFiles,
        int blockSize, int nameLength, int fragmentSize) {
    public static final int SIZE = 80;

    public void write(ByteBuffer buffer, int base) {
        for (int offset = 0; offset < SIZE; offset += 8) {
            buffer.putLong(base + offset, 0);
        }
        buffer.putLong(base, blocks).putLong(base + 8, freeBlocks).putLong(base + 16, availableBlocks)
                .putLong(base + 24, files).putLong(base + 32, freeFiles)
                .putInt(base + 40, blockSize).putInt(base + 44, nameLength).putInt(base + 48, fragmentSize);
    }
}
