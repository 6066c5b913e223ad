package org.gntfs.index;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableList;
import com.google.common.primitives.ImmutableIntArray;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.gntfs.grant.GrantAllocation;

/**
 * The offset index of one region: a red-black tree ({@link TreeMap}) from a file page to the
 * {@link Extent} that starts there. Extents never overlap, so the extent holding a page is the one
 * with the greatest start not above it, found in O(log n).
 *
 * <p>Not thread-safe: the owning region serialises changes and lookups.
 */
public final class ExtentIndex {
    private final TreeMap<Long, Extent> byFirstPage = new TreeMap<>();

    /** The first page after the last extent, 0 when empty. */
    public long endPage() {
        return byFirstPage.isEmpty() ? 0 : byFirstPage.lastEntry().getValue().endPage();
    }

    /** The number of extents. */
    public int size() {
        return byFirstPage.size();
    }

    /** The extents in file order. */
    public Collection<Extent> extents() {
        return Collections.unmodifiableCollection(byFirstPage.values());
    }

    /** Adds an extent that overlaps none already indexed. */
    public void insert(Extent extent) {
        Map.Entry<Long, Extent> before = byFirstPage.floorEntry(extent.endPage() - 1);
        checkArgument(
                before == null || before.getValue().endPage() <= extent.firstPage(),
                "%s overlaps %s",
                extent,
                before == null ? null : before.getValue());
        byFirstPage.put(extent.firstPage(), extent);
    }

    /** Indexes a whole allocation right after the last extent, and returns its extent. */
    public Extent append(GrantAllocation allocation) {
        Extent extent = Extent.of(endPage(), allocation);
        insert(extent);
        return extent;
    }

    /** The extent holding {@code page}, or null if no extent does. */
    @Nullable
    public Extent find(long page) {
        Map.Entry<Long, Extent> candidate = byFirstPage.floorEntry(page);
        return candidate != null && candidate.getValue().contains(page) ? candidate.getValue() : null;
    }

    /** Makes {@code page} the start of an extent, if it lies inside one, by splitting that extent. */
    public void splitAt(long page) {
        Extent holder = find(page);
        if (holder != null && holder.firstPage() != page) {
            byFirstPage.put(holder.firstPage(), holder.head(page));
            byFirstPage.put(page, holder.tail(page));
        }
    }

    /**
     * Removes every page from {@code page} on, trimming the extent that straddles it, and returns
     * the removed extents in file order so that their grants can be released.
     */
    public List<Extent> removeFrom(long page) {
        checkArgument(page >= 0, "negative page %s", page);
        splitAt(page);
        List<Extent> removed = new ArrayList<>(byFirstPage.tailMap(page, true).values());
        byFirstPage.tailMap(page, true).clear();
        return ImmutableList.copyOf(removed);
    }

    /** The grant reference of every indexed page, in file order. */
    public ImmutableIntArray grefs() {
        ImmutableIntArray.Builder grefs = ImmutableIntArray.builder();
        for (Extent extent : byFirstPage.values()) {
            for (int i = 0; i < extent.pageCount(); i++) {
                grefs.add(extent.allocation().gref(extent.allocationStart() + i));
            }
        }
        return grefs.build();
    }
}
