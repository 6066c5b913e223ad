package org.gntfs.engine.session;

import static com.google.common.base.Preconditions.checkArgument;

import org.gntfs.engine.abi.InitFlags;
import org.gntfs.engine.abi.Timeout;

/**
 * How a session serves its connection.
 *
 * @param entryTimeout how long the kernel may keep a name
 * @param attrTimeout how long it may keep attributes
 * @param negativeTimeout how long it may keep "no such name" (0: ask every time)
 * @param workers how many threads read and answer requests
 * @param cloneDevice whether each worker but the first reads its own {@code FUSE_DEV_IOC_CLONE}
 *     descriptor, rather than all sharing one
 * @param maxPages the largest request in pages that the server asks for (the kernel caps it at
 *     {@code fs.fuse.max_pages_limit})
 * @param wanted the capability bits the server can honour; the session asks for those the kernel offers
 * @param debug whether to log every request and its answer at info level
 */
public record SessionConfig(
        Timeout entryTimeout,
        Timeout attrTimeout,
        Timeout negativeTimeout,
        int workers,
        boolean cloneDevice,
        int maxPages,
        long wanted,
        boolean debug) {
    /** What every filesystem served by this engine gets: see {@link Negotiation} for why. */
    public static final long BASE_FLAGS = InitFlags.ASYNC_READ | InitFlags.ATOMIC_O_TRUNC | InitFlags.BIG_WRITES
            | InitFlags.MAX_PAGES | InitFlags.DO_READDIRPLUS | InitFlags.READDIRPLUS_AUTO
            | InitFlags.PARALLEL_DIROPS | InitFlags.SETXATTR_EXT | InitFlags.ABORT_ERROR | InitFlags.INIT_EXT;

    /** 256 pages, 1 MiB: the kernel's default {@code max_pages_limit}. */
    public static final int DEFAULT_MAX_PAGES = 256;

    public SessionConfig {
        checkArgument(workers >= 1, "at least one worker");
        checkArgument(maxPages >= 1 && maxPages <= 65535, "max_pages from 1 to 65535");
    }

    /** The largest READ or WRITE payload any kernel can send this session. */
    public int maxPayload() {
        return maxPages * Negotiation.PAGE_SIZE;
    }
}
