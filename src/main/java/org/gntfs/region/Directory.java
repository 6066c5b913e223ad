package org.gntfs.region;

import com.google.common.collect.ImmutableList;
import java.time.Instant;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * A directory of named nodes: regions, directories, symbolic links, special files. It has one
 * name; its entries may name one node more than once (hard links). It may carry grant defaults ({@code user.gnt.domid},
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

    /** Gives {@code child} the name {@code name} here, one more of its links. */
    void link(String name, Node child) {
        put(name, child);
        child.addLink(this, name);
    }

    /** Removes the entry {@code name} and that link of its node, which it returns. */
    Node unlink(String name) {
        Node child = take(name);
        child.removeLink(this, name);
        return child;
    }

    /** Moves the entry {@code name} to {@code newName} in {@code target}: a rename of that one link. */
    void move(String name, Directory target, String newName) {
        Node child = take(name);
        target.put(newName, child);
        child.moveLink(this, name, target, newName);
    }

    private void put(String name, Node child) {
        children.put(name, child);
        if (child instanceof Directory) {
            subdirectories++;
        }
    }

    private Node take(String name) {
        Node child = children.remove(name);
        if (child instanceof Directory) {
            subdirectories--;
        }
        return child;
    }

    /** As on tmpfs: its own name, its "." and each subdirectory's "..". */
    public int linkCount() {
        return 2 + subdirectories;
    }

    boolean isEmpty() {
        return children.isEmpty();
    }

    /** One entry: a name and the node it names. A node with several links is the node of several entries. */
    public record Entry(String name, Node node) {}

    /** Calls {@code action} with each entry in name order, copying nothing; under the tree's lock. */
    void forEachEntry(BiConsumer<String, Node> action) {
        children.forEach(action);
    }

    /** The entries in name order. */
    ImmutableList<Entry> entries() {
        return children.entrySet().stream()
                .map(child -> new Entry(child.getKey(), child.getValue()))
                .collect(ImmutableList.toImmutableList());
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
