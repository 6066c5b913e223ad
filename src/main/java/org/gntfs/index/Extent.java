package org.gntfs.index;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import org.gntfs.grant.GrantAllocation;

/**
 * A run of consecutive file pages backed by consecutive pages of one grant allocation: file page
 * {@code firstPage + i} is page {@code allocationStart + i} of {@code allocation}.
 */
public record Extent(long firstPage, GrantAllocation allocation, int allocationStart, int pageCount) {
    public Extent {
        checkNotNull(allocation);
        checkArgument(firstPage >= 0, "negative first page %s", firstPage);
        checkArgument(pageCount > 0, "an extent has at least one page, not %s", pageCount);
        checkArgument(
                allocationStart >= 0 && allocationStart + pageCount <= allocation.pages(),
                "pages [%s, %s) are outside an allocation of %s",
                allocationStart,
                allocationStart + pageCount,
                allocation.pages());
    }

    /** An extent covering a whole allocation. */
    public static Extent of(long firstPage, GrantAllocation allocation) {
        return new Extent(firstPage, allocation, 0, allocation.pages());
    }

    /** The first file page after this extent. */
    public long endPage() {
        return firstPage + pageCount;
    }

    public boolean contains(long page) {
        return page >= firstPage && page < endPage();
    }

    /** The page of the allocation that backs file page {@code page}. */
    public int allocationPage(long page) {
        checkArgument(contains(page), "page %s is outside %s", page, this);
        return allocationStart + (int) (page - firstPage);
    }

    public int gref(long page) {
        return allocation.gref(allocationPage(page));
    }

    public long pageAddress(long page) {
        return allocation.pageAddress(allocationPage(page));
    }

    /** The part of this extent before {@code page}, which must lie strictly inside it. */
    Extent head(long page) {
        checkArgument(page > firstPage && page < endPage(), "cannot split %s at page %s", this, page);
        return new Extent(firstPage, allocation, allocationStart, (int) (page - firstPage));
    }

    /** The part of this extent from {@code page} on, which must lie strictly inside it. */
    Extent tail(long page) {
        checkArgument(page > firstPage && page < endPage(), "cannot split %s at page %s", this, page);
        return new Extent(page, allocation, allocationPage(page), (int) (endPage() - page));
    }
}
