package org.gntfs.region;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.gntfs.Fault;
import org.gntfs.GntfsException;
import org.gntfs.Limits;

/**
 * What a tree's nodes take of its {@link Limits}: inodes, attribute bytes and grants, the last two
 * charged to each node's owner. Lock order: a node's attributes, then the attribute usage, then the
 * grant usage.
 */
final class TreeLimits {
    private final Limits limits;
    /** The nodes that hold an inode: the root, .grants, directories, regions until released. */
    private final AtomicLong inodesInUse = new AtomicLong(2);
    private final UidUsage attributes;
    private final UidUsage grants;

    TreeLimits(Limits limits) {
        this.limits = limits;
        this.attributes = new UidUsage("attribute bytes", limits.attributeBytes(), limits.attributeBytesPerUid());
        this.grants = new UidUsage(
                "grants", UidUsage.UNLIMITED, limits.grantsPerUid() == Limits.NO_QUOTA ? UidUsage.UNLIMITED : limits.grantsPerUid());
    }

    long inodeLimit() {
        return limits.inodes();
    }

    long inodesInUse() {
        return inodesInUse.get();
    }

    UidUsage attributes() {
        return attributes;
    }

    UidUsage grants() {
        return grants;
    }

    /** Takes an inode for a node about to be made; ENOSPC once the limit is reached. Under the tree's exclusive lock. */
    void takeInode(String path) {
        if (inodesInUse.get() >= limits.inodes()) {
            throw GntfsException.of(Fault.NO_SPACE, "%s: all %d inodes of the mount are in use", path, limits.inodes());
        }
        inodesInUse.incrementAndGet();
    }

    /** Gives back an inode taken for a node that was not made after all. */
    void giveBackInode() {
        inodesInUse.decrementAndGet();
    }

    /** A node is gone for good: its inode and its attributes' bytes are free again. */
    void forget(Node node) {
        giveBackInode();
        node.userAttributes().clear(attributes, node::uid);
    }

    /**
     * Gives a node a new owner, to whom what it holds moves; the new owner must have room for it
     * (EDQUOT), as disk quotas have it. The locks keep a concurrent set or grow from charging the
     * uid it read before the change.
     */
    void chown(Node node, int newUid, int newGid, Instant now) {
        node.checkChangeable("chown");
        node.userAttributes().moveCharge(attributes, node.uid(), newUid, () -> {
            synchronized (grants) {
                if (node instanceof Region region) {
                    region.moveGrantCharge(node.uid(), newUid);
                }
                node.setOwner(newUid, newGid, now);
            }
        });
    }
}
