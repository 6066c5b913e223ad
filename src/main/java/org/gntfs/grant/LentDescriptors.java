package org.gntfs.grant;

import com.google.common.collect.ImmutableList;
import com.google.common.primitives.ImmutableIntArray;
import org.gntfs.nativeio.Posix;

/**
 * Descriptors of a {@link GrantSpace} opened for another process, and where each allocation lent
 * lies in them: {@code placements.get(i)} is the i-th allocation asked for. The receiver of this
 * value owns the descriptors and closes them.
 */
public record LentDescriptors(ImmutableIntArray descriptors, ImmutableList<Placement> placements) {
    /** Allocation page 0 is at byte {@code offset} of {@code descriptors.get(descriptor)}. */
    public record Placement(int descriptor, long offset) {}

    public void closeAll() {
        descriptors.forEach(Posix::closeQuietly);
    }
}
