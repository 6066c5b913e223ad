package org.gntfs.region;

import com.google.common.collect.ImmutableList;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * What every node shares: its names in the tree and POSIX attributes. A directory has one name
 * (the root none); any other node may have several, its hard links, kept oldest first: a rename
 * moves a name and keeps its age. The attributes and the names are volatile so that {@code
 * getattr} reads them without a lock; the tree's exclusive lock orders every change of the names.
 * Every change a user can ask for passes {@link #checkChangeable} first, which is where a {@link
 * VirtualFile} refuses it.
 */
public abstract sealed class Node permits Directory, Region, VirtualFile, Symlink, SpecialFile {
    /** One name of a node: the directory that holds it and the name there. */
    public record Link(Directory parent, String name) {}

    private final long inode;
    /** Oldest first; empty for the root and for a node whose last name is gone. */
    private volatile ImmutableList<Link> links = ImmutableList.of();
    /** The oldest name, or the last one the node had once it has none. */
    private volatile String name;
    private volatile int permissions;
    private volatile int uid;
    private volatile int gid;
    private volatile Instant accessed;
    private volatile Instant modified;
    private volatile Instant changed;
    private final ExtendedAttributes userAttributes = new ExtendedAttributes();

    Node(long inode, String name, int permissions, int uid, int gid, Instant now) {
        this.inode = inode;
        this.name = name;
        this.permissions = permissions & 07777;
        this.uid = uid;
        this.gid = gid;
        this.accessed = now;
        this.modified = now;
        this.changed = now;
    }

    public long inode() {
        return inode;
    }

    public String name() {
        return name;
    }

    /** The directory holding this node's oldest name; null for the root and for a node with no name left. */
    public @Nullable Directory parent() {
        ImmutableList<Link> now = links;
        return now.isEmpty() ? null : now.get(0).parent();
    }

    /** Every name of the node, oldest first. */
    public ImmutableList<Link> links() {
        return links;
    }

    /** Whether {@code name} in {@code parent} is one of this node's names. */
    public boolean isNamed(Directory parent, String name) {
        return links.contains(new Link(parent, name));
    }

    /** Under the tree's exclusive lock, as every change of the names below. */
    void addLink(Directory parent, String name) {
        links = ImmutableList.<Link>builder().addAll(links).add(new Link(parent, name)).build();
        this.name = links.get(0).name();
    }

    void removeLink(Directory parent, String name) {
        Link gone = new Link(parent, name);
        links = links.stream().filter(link -> !link.equals(gone)).collect(ImmutableList.toImmutableList());
        this.name = links.isEmpty() ? name : links.get(0).name();
    }

    /** A rename: the name takes the new place and keeps its age among the node's names. */
    void moveLink(Directory parent, String name, Directory newParent, String newName) {
        Link moved = new Link(parent, name);
        links = links.stream()
                .map(link -> link.equals(moved) ? new Link(newParent, newName) : link)
                .collect(ImmutableList.toImmutableList());
        this.name = links.get(0).name();
    }

    /** The path of the oldest name from the mount root; "/" and the last name once no name is left. */
    public String path() {
        Directory up = parent();
        if (up == null) {
            return this instanceof Directory ? "/" : "/" + name;
        }
        String prefix = up.path();
        return (prefix.equals("/") ? "" : prefix) + "/" + name;
    }

    public int permissions() {
        return permissions;
    }

    public int uid() {
        return uid;
    }

    public int gid() {
        return gid;
    }

    public Instant accessed() {
        return accessed;
    }

    public Instant modified() {
        return modified;
    }

    public Instant changed() {
        return changed;
    }

    /**
     * Refuses {@code change} (chmod, unlink, set an attribute, ...) if this node cannot be
     * changed; regions and directories can.
     */
    void checkChangeable(String change) {}

    final void setPermissions(int permissions, Instant now) {
        checkChangeable("chmod");
        this.permissions = permissions & 07777;
        this.changed = now;
    }

    final void setOwner(int uid, int gid, Instant now) {
        checkChangeable("chown");
        this.uid = uid;
        this.gid = gid;
        this.changed = now;
    }

    final void setTimes(Instant accessed, Instant modified, Instant now) {
        checkChangeable("set the times of");
        this.accessed = accessed;
        this.modified = modified;
        this.changed = now;
    }

    /** Records a change of contents, as write(2) and truncate(2) do. */
    void touchModified(Instant now) {
        this.modified = now;
        this.changed = now;
    }

    void touchChanged(Instant now) {
        this.changed = now;
    }

    ExtendedAttributes userAttributes() {
        return userAttributes;
    }
}
