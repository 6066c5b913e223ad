package org.gntfs.fuse;

import java.io.IOException;
import java.time.Duration;
import org.gntfs.engine.abi.InitFlags;
import org.gntfs.engine.abi.Timeout;
import org.gntfs.engine.mount.FuseMounter;
import org.gntfs.engine.mount.MountSpec;
import org.gntfs.engine.session.Negotiation;
import org.gntfs.engine.session.Session;
import org.gntfs.engine.session.SessionConfig;
import org.gntfs.region.RegionTree;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A tree of regions served through the FUSE engine: the mount (mount(2) as root, fusermount3
 * otherwise) and the session that serves it. It ends when the mount is unmounted, by whoever
 * unmounts it.
 */
public final class KernelLoop {
    private static final Logger log = LoggerFactory.getLogger(KernelLoop.class);

    /**
     * Read and answer on this many threads. Two: while one writes a reply the other reads the next
     * request (one worker was 2.3× slower on random reads and `ls -l`; four, on two CPUs, slower
     * than two again: docs/performance.md, "Workers and cloned descriptors").
     */
    static final int WORKERS = Integer.getInteger("gntfs.engine.workers", 2);
    /** Whether each worker gets its own cloned descriptor: measured no consistent gain, so off. */
    static final boolean CLONE_DEVICE = Boolean.getBoolean("gntfs.engine.clone");

    private final FuseOptions options;
    private final Session session;
    private final KernelFs fs;

    private KernelLoop(FuseOptions options, Session session, KernelFs fs) {
        this.options = options;
        this.session = session;
        this.fs = fs;
    }

    /** Mounts {@code tree} at the options' mount point and starts serving it; {@link #awaitInit} tells when the kernel is ready. */
    public static KernelLoop start(RegionTree tree, FuseOptions options) throws IOException {
        int maxPages = Math.min(SessionConfig.DEFAULT_MAX_PAGES, FuseMounter.maxPagesLimit());
        Timeout cache = Timeout.of(options.cacheTimeout());
        SessionConfig config = new SessionConfig(cache, cache, cache, WORKERS, CLONE_DEVICE, maxPages,
                SessionConfig.BASE_FLAGS | InitFlags.HANDLE_KILLPRIV_V2, options.debug());
        int fd = FuseMounter.mount(new MountSpec(options.mountPoint(), "gntfs", "gntfs",
                maxPages * Negotiation.PAGE_SIZE));
        KernelFs fs = new KernelFs(tree, options.keepCache());
        log.info("serving {} with the kernel FUSE engine ({} workers{}, {} pages a request)",
                options.mountPoint(), WORKERS, CLONE_DEVICE ? ", cloned descriptors" : "", maxPages);
        return new KernelLoop(options, Session.start(fd, fs, new GntfsErrors(), config, "gntfs-fuse"), fs);
    }

    public void awaitInit(Duration timeout) throws IOException {
        session.awaitInit(timeout);
    }

    public boolean isRunning() {
        return session.isRunning();
    }

    public void join() throws InterruptedException {
        session.join();
    }

    public void join(Duration timeout) throws InterruptedException {
        session.join(timeout);
    }

    /** Whether the connection ended by an abort rather than an unmount. */
    public boolean wasAborted() {
        return session.wasAborted();
    }

    /** How many node ids the kernel holds, the root included: for tests of lookup counting. */
    int knownNodes() {
        return fs.nodes().size();
    }

    @Override
    public String toString() {
        return "kernel FUSE engine on " + options.mountPoint();
    }
}
