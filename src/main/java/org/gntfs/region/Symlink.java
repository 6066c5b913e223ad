package org.gntfs.region;

import java.time.Instant;

/**
 * A symbolic link: its target, kept as the bytes it was given, which the kernel resolves. It
 * holds no grant and no page; as on tmpfs its mode is 0777, its size the target's length, and
 * it may have several names (hard links to the link itself).
 */
public final class Symlink extends Node {
    private static final int EVERYONE = 0777;

    private final byte[] target;

    Symlink(long inode, String name, byte[] target, int uid, int gid, Instant now) {
        super(inode, name, EVERYONE, uid, gid, now);
        this.target = target.clone();
    }

    /** The target, byte for byte as symlink(2) gave it. */
    public byte[] target() {
        return target.clone();
    }

    /** The target's length in bytes: the link's {@code st_size}. */
    public int size() {
        return target.length;
    }
}
