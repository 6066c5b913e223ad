package org.gntfs.grant;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkElementIndex;

import com.google.common.base.MoreObjects;
import com.google.common.primitives.ImmutableIntArray;
import com.google.common.primitives.ImmutableLongArray;

/**
 * One allocation from a {@link GrantBackend}: a run of pages granted to one domain, each under its
 * own grant reference, and mapped into the daemon at known addresses. It is a value: which of its
 * pages are still granted is tracked by the region that owns it, and released through the
 * backend.
 */
public final class GrantAllocation {
    private final int domid;
    private final boolean writable;
    private final long deviceOffset;
    private final ImmutableIntArray grefs;
    private final ImmutableLongArray pageAddresses;

    public GrantAllocation(
            int domid, boolean writable, long deviceOffset, ImmutableIntArray grefs, ImmutableLongArray pageAddresses) {
        checkArgument(!grefs.isEmpty(), "an allocation has at least one page");
        checkArgument(
                grefs.length() == pageAddresses.length(),
                "%s grefs but %s page addresses",
                grefs.length(),
                pageAddresses.length());
        this.domid = domid;
        this.writable = writable;
        this.deviceOffset = deviceOffset;
        this.grefs = grefs;
        this.pageAddresses = pageAddresses;
    }

    /** The domain the pages are granted to. */
    public int domid() {
        return domid;
    }

    /** Whether the peer may write the pages (Xen's grant flags lack GTF_readonly). */
    public boolean writable() {
        return writable;
    }

    /** Where the allocation starts in the backend's device (gntalloc's {@code index}), in bytes. */
    public long deviceOffset() {
        return deviceOffset;
    }

    public int pages() {
        return grefs.length();
    }

    public int gref(int page) {
        checkElementIndex(page, pages());
        return grefs.get(page);
    }

    public ImmutableIntArray grefs() {
        return grefs;
    }

    /** The daemon's address of the page, valid until the page is released. */
    public long pageAddress(int page) {
        return pageAddresses.get(page);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this)
                .add("domid", domid)
                .add("writable", writable)
                .add("deviceOffset", deviceOffset)
                .add("grefs", grefs)
                .toString();
    }
}
