package org.gntfs.region;

import java.time.Instant;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A fifo, a socket bound in the mount, or a device node: stored as tmpfs stores it, its kind,
 * device number, owner, mode and times. The kernel serves what it is used for (a pipe, a socket
 * the binder listens on, a driver, which a nodev mount never opens); here it holds no grant and
 * no page, and it may have several names.
 */
public final class SpecialFile extends Node {
    /** The kinds mknod(2) makes besides regular files, with their POSIX type bits. */
    public enum Kind {
        FIFO(0010000),
        CHARACTER_DEVICE(0020000),
        BLOCK_DEVICE(0060000),
        SOCKET(0140000);

        private static final int S_IFMT = 0170000;

        private final int typeBits;

        Kind(int typeBits) {
            this.typeBits = typeBits;
        }

        /** The {@code S_IF*} bits of {@code st_mode}. */
        public int typeBits() {
            return typeBits;
        }

        /** The kind that {@code mode}'s type bits name, if it is one of these. */
        public static Optional<Kind> of(int mode) {
            return Stream.of(values()).filter(kind -> kind.typeBits == (mode & S_IFMT)).findFirst();
        }
    }

    private final Kind kind;
    private final int device;

    SpecialFile(long inode, String name, Kind kind, int device, int permissions, int uid, int gid, Instant now) {
        super(inode, name, permissions, uid, gid, now);
        this.kind = kind;
        this.device = device;
    }

    public Kind kind() {
        return kind;
    }

    /** The device number as the kernel encodes it ({@code new_encode_dev}); 0 but for devices. */
    public int device() {
        return device;
    }
}
