package org.gntfs.grant;

import static com.google.common.base.Preconditions.checkArgument;

import java.nio.file.Path;

/**
 * What a mount asks of its grant pool. A backend takes what applies to it: Xen's pool is
 * gntalloc's own limit, so only the simulated table uses these.
 *
 * @param limit how many grants the pool holds
 * @param tableDirectory where a backend that keeps its table in a file puts it
 */
public record PoolSettings(int limit, Path tableDirectory) {
    public PoolSettings {
        checkArgument(limit > 0, "a pool holds at least one grant, not %s", limit);
    }
}
