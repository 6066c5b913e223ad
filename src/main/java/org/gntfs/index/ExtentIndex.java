package org.gntfs.index;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableList;
import com.google.common.primitives.ImmutableIntArray;
import java.util.Arrays;
import java.util.List;
import org.gntfs.grant.GrantAllocation;
import org.jspecify.annotations.Nullable;

/**
 * The offset index of one region: its extents sorted by first page, in two parallel arrays (the
 * first pages as primitive longs, the extents beside them). The extent holding a page is found
 * by binary search, O(log n) without boxing or pointer chasing, and in O(1) when the page is in
 * the extent found last or the next one, which is how reads, writes and writebacks walk a region.
 * Regions grow at the end and shrink from the end, so appending and trimming are O(1) amortized;
 * an insert between extents costs O(n) and is only there for completeness.
 *
 * <p>Not thread-safe for changes: the owning region serialises them against lookups. Concurrent
 * lookups are safe; they share only the hint, which is checked before it is trusted.
 */
public final class ExtentIndex {
    private static final int INITIAL_CAPACITY = 4;

    private long[] firstPages = new long[INITIAL_CAPACITY];
    private Extent[] extents = new Extent[INITIAL_CAPACITY];
    private int size;
    /** Where the last lookup found its extent; racy between readers, and only ever a hint. */
    private int hint;

    /** The first page after the last extent, 0 when empty. */
    public long endPage() {
        return size == 0 ? 0 : extents[size - 1].endPage();
    }

    /** The number of extents. */
    public int size() {
        return size;
    }

    /** The extent that ends the index, or null when it is empty. */
    public @Nullable Extent last() {
        return size == 0 ? null : extents[size - 1];
    }

    /** The extents in file order. */
    public List<Extent> extents() {
        return ImmutableList.copyOf(Arrays.asList(extents).subList(0, size));
    }

    /** Adds an extent that overlaps none already indexed. */
    public void insert(Extent extent) {
        int at = insertionPoint(extent.firstPage());
        checkArgument(at == 0 || extents[at - 1].endPage() <= extent.firstPage(), "%s overlaps %s", extent, at == 0 ? null : extents[at - 1]);
        checkArgument(at == size || extent.endPage() <= firstPages[at], "%s overlaps %s", extent, at == size ? null : extents[at]);
        if (size == extents.length) {
            firstPages = Arrays.copyOf(firstPages, size * 2);
            extents = Arrays.copyOf(extents, size * 2);
        }
        System.arraycopy(firstPages, at, firstPages, at + 1, size - at);
        System.arraycopy(extents, at, extents, at + 1, size - at);
        firstPages[at] = extent.firstPage();
        extents[at] = extent;
        size++;
    }

    /** Indexes a whole allocation right after the last extent, and returns its extent. */
    public Extent append(GrantAllocation allocation) {
        Extent extent = Extent.of(endPage(), allocation);
        insert(extent);
        return extent;
    }

    /** The extent holding {@code page}, or null if no extent does. */
    public @Nullable Extent find(long page) {
        int at = hint;
        if (at < size && extents[at].contains(page)) {
            return extents[at];
        }
        if (at + 1 < size && extents[at + 1].contains(page)) {
            hint = at + 1;
            return extents[at + 1];
        }
        at = insertionPoint(page + 1) - 1;
        if (at < 0 || !extents[at].contains(page)) {
            return null;
        }
        hint = at;
        return extents[at];
    }

    /** Makes {@code page} the start of an extent, if it lies inside one, by splitting that extent. */
    public void splitAt(long page) {
        Extent holder = find(page);
        if (holder != null && holder.firstPage() != page) {
            int at = insertionPoint(holder.firstPage());
            extents[at] = holder.head(page);
            insert(holder.tail(page));
        }
    }

    /**
     * Removes every page from {@code page} on, trimming the extent that straddles it, and returns
     * the removed extents in file order so that their grants can be released.
     */
    public List<Extent> removeFrom(long page) {
        checkArgument(page >= 0, "negative page %s", page);
        splitAt(page);
        int from = insertionPoint(page);
        List<Extent> removed = ImmutableList.copyOf(Arrays.asList(extents).subList(from, size));
        Arrays.fill(extents, from, size, null);
        size = from;
        hint = 0;
        return removed;
    }

    /** The grant reference of every indexed page, in file order. */
    public ImmutableIntArray grefs() {
        ImmutableIntArray.Builder grefs = ImmutableIntArray.builder();
        for (int i = 0; i < size; i++) {
            Extent extent = extents[i];
            grefs.addAll(extent.allocation().grefs().subArray(extent.allocationStart(), extent.allocationStart() + extent.pageCount()));
        }
        return grefs.build();
    }

    /** The number of extents that start before {@code page}. */
    private int insertionPoint(long page) {
        int low = 0;
        int high = size;
        while (low < high) {
            int middle = (low + high) >>> 1;
            if (firstPages[middle] < page) {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        return low;
    }
}
