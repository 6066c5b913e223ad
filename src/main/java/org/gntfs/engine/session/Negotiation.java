package org.gntfs.engine.session;

import org.gntfs.engine.abi.InitFlags;
import org.gntfs.engine.abi.InitIn;
import org.gntfs.engine.abi.InitOut;

/**
 * INIT: what the kernel offers, what the server wants, and what they agree on.
 *
 * <ul>
 *   <li>The minor is the lower of the kernel's and {@link #OUR_MINOR}; below {@link #OLDEST_MINOR}
 *       the request layouts differ from the ones this engine reads, and INIT fails (EPROTO).
 *   <li>A major above 7 is answered with the version alone; the kernel then sends INIT again.
 *   <li>The flags are the wanted ones the kernel offers, never the offer echoed: a bit the server
 *       does not honour breaks it silently. {@code MAX_PAGES} raises requests from 32 pages to
 *       {@code maxPages} (1 MiB); without it the old 32-page limit holds and max_write follows.
 *   <li>max_background is raised from 12 to 64 so that readahead and parallel readers are not
 *       throttled (root only; the kernel caps it for other users).
 * </ul>
 */
public final class Negotiation {
    public static final int MAJOR = 7;
    /** The protocol this engine's layouts are those of: 7.45 (Linux 6.18). */
    public static final int OUR_MINOR = 45;
    /** 7.12 (Linux 2.6.31) brought the umask in CREATE and MKNOD, which this engine reads. */
    public static final int OLDEST_MINOR = 12;
    public static final int PAGE_SIZE = 4096;
    /** The kernel's limit without {@code MAX_PAGES}. */
    public static final int DEFAULT_KERNEL_PAGES = 32;

    private static final int MAX_BACKGROUND = 64;
    private static final int CONGESTION_THRESHOLD = 48;
    private static final int TIME_GRANULARITY_NS = 1;

    /** The outcome: the reply to send, and whether the connection is set up (false: wait for another INIT). */
    public record Outcome(InitOut reply, int replySize, boolean established) {
        public int maxWrite() {
            return reply.maxWrite();
        }
    }

    private Negotiation() {}

    /**
     * @throws FuseError EPROTO for a kernel too old or a major below 7
     */
    public static Outcome negotiate(InitIn offer, SessionConfig config) {
        if (offer.major() > MAJOR) {
            return new Outcome(new InitOut(MAJOR, OUR_MINOR, 0, 0, 0, 0, 0, 0, 0), InitOut.VERSION_ONLY_SIZE, false);
        }
        if (offer.major() < MAJOR || offer.minor() < OLDEST_MINOR) {
            throw new FuseError(FuseError.EPROTO,
                    "kernel FUSE protocol " + offer.major() + "." + offer.minor() + " is older than "
                            + MAJOR + "." + OLDEST_MINOR);
        }
        int minor = Math.min(offer.minor(), OUR_MINOR);
        long flags = config.wanted() & offer.flags();
        if ((flags & InitFlags.INIT_EXT) == 0) {
            flags &= 0xFFFF_FFFFL;
        }
        int pages = (flags & InitFlags.MAX_PAGES) != 0 ? config.maxPages()
                : Math.min(config.maxPages(), DEFAULT_KERNEL_PAGES);
        InitOut reply = new InitOut(MAJOR, minor, offer.maxReadahead(), flags, MAX_BACKGROUND, CONGESTION_THRESHOLD,
                pages * PAGE_SIZE, TIME_GRANULARITY_NS, (flags & InitFlags.MAX_PAGES) != 0 ? pages : 0);
        return new Outcome(reply, InitOut.sizeFor(minor), true);
    }
}
