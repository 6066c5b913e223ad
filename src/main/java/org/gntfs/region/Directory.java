package org.gntfs.region;

import com.google.common.collect.ImmutableList;
import java.time.Instant;
import java.util.SortedMap;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * A directory of regions and directories. It may carry grant defaults ({@code user.gnt.domid},
 * {@code user.gnt.writable}) that regions created in it take. Its children are guarded by the
 * tree's lock.
 */
public final class Directory extends Node {
    private final SortedMap<String, Node> children = new TreeMap<>();
    private volatile @Nullable Integer defaultDomid;
    private volatile @Nullable Boolean defaultWritable;
    /** Kept apart from the children so that getattr reads it without the tree's lock. */
    private volatile int subdirectories;

    Directory(long inode, String name, int permissions, int uid, int gid, Instant now) {
        super(inode, name, permissions, uid, gid, now);
    }

    @Nullable
    Node child(String name) {
        return children.get(name);
    }

    void link(Node child) {
        children.put(child.name(), child);
        child.place(this, child.name());
        if (child instanceof Directory) {
            subdirectories++;
        }
    }

    void unlink(Node child) {
        children.remove(child.name());
        child.place(null, child.name());
        if (child instanceof Directory) {
            subdirectories--;
        }
    }

    /** As on tmpfs: its own name, its "." and each subdirectory's "..". */
    public int linkCount() {
        return 2 + subdirectories;
    }

    boolean isEmpty() {
        return children.isEmpty();
    }

    ImmutableList<Node> children() {
        return ImmutableList.copyOf(children.values());
    }

    /** The domid regions created here take, or null to take the mount's. */
    public @Nullable Integer defaultDomid() {
        return defaultDomid;
    }

    void setDefaultDomid(@Nullable Integer domid) {
        this.defaultDomid = domid;
    }

    /** Whether regions created here are writable by the peer, or null to take the mount's. */
    public @Nullable Boolean defaultWritable() {
        return defaultWritable;
    }

    void setDefaultWritable(@Nullable Boolean writable) {
        this.defaultWritable = writable;
    }
}
