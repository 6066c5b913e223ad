package org.gntfs.grant;

import static com.google.common.base.Preconditions.checkArgument;

/** How many grants a backend may hand out in all, and how many are taken. */
public record PoolUsage(long limit, long used) {
    public PoolUsage {
        checkArgument(limit >= 0 && used >= 0, "negative pool figures %s/%s", used, limit);
    }

    /** Grants still available; never negative, even when a lowered limit is below the use. */
    public long free() {
        return Math.max(0, limit - used);
    }
}
