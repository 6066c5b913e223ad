package org.gntfs;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * What the tree lets its users take, so that none can exhaust the daemon's memory or the others'
 * share. Past a limit of the whole mount a call fails with ENOSPC; past one uid's share, EDQUOT.
 * Nothing is half made: each is checked before anything changes.
 *
 * @param inodes the nodes the tree may hold, the root and {@code .grants} included: regions (until
 *     their grants are released, so an unlinked open one still counts) and directories. {@code df
 *     -i} shows it.
 * @param attributeBytes the bytes of stored {@code user.*} attributes (names and values) in the
 *     whole tree
 * @param attributeBytesPerUid the same for the nodes each uid owns
 * @param grantsPerUid the grants (pages) the regions of each uid may hold, or 0 for no quota: the
 *     pool alone then bounds them
 */
public record Limits(long inodes, long attributeBytes, long attributeBytesPerUid, long grantsPerUid) {
    public static final long DEFAULT_INODES = 262_144;
    public static final long DEFAULT_ATTRIBUTE_BYTES = 64L << 20;
    public static final long DEFAULT_ATTRIBUTE_BYTES_PER_UID = 16L << 20;
    public static final long NO_QUOTA = 0;

    public static final Limits DEFAULTS =
            new Limits(DEFAULT_INODES, DEFAULT_ATTRIBUTE_BYTES, DEFAULT_ATTRIBUTE_BYTES_PER_UID, NO_QUOTA);

    public Limits {
        checkArgument(inodes >= 2, "the tree needs at least 2 inodes (the root and .grants), not %s", inodes);
        checkArgument(attributeBytes >= 0 && attributeBytesPerUid >= 0, "attribute limits cannot be negative");
        checkArgument(grantsPerUid >= 0, "a grant quota cannot be negative");
    }
}
