package org.gntfs.region;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * What regions, directories and virtual files share: a place in the tree and POSIX attributes.
 * The attributes are volatile so that {@code getattr} reads them without a lock; the tree's lock
 * orders the changes to the place. Every change a user can ask for passes {@link
 * #checkChangeable} first, which is where a {@link VirtualFile} refuses it.
 */
public abstract sealed class Node permits Directory, Region, VirtualFile {
    private final long inode;
    private volatile @Nullable Directory parent;
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

    /** The directory holding this node, null for the root and for unlinked regions. */
    public @Nullable Directory parent() {
        return parent;
    }

    void place(@Nullable Directory parent, String name) {
        this.parent = parent;
        this.name = name;
    }

    /** The path from the mount root, as it was when the node was last linked. */
    public String path() {
        Directory up = parent;
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
