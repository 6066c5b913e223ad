package org.gntfs.fuse;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.gntfs.region.RegionTree;

/**
 * libfuse's blocking loop over a tree of regions, on a thread of its own. It ends when the mount
 * is unmounted, by whoever unmounts it; unmounting is the caller's job, since libfuse's own
 * {@code umount} is disabled (see {@link GntFuseFs}).
 */
public final class FuseLoop {
    private final FuseOptions options;
    private final GntFuseFs fs;
    private final Thread thread;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    private FuseLoop(RegionTree tree, FuseOptions options) {
        this.options = options;
        this.fs = new GntFuseFs(tree, options.keepCache(), options.mountPoint());
        this.thread = new Thread(this::run, "gntfs-fuse-loop");
    }

    /** Starts libfuse's mount of {@code tree}; {@link #awaitInit} tells when the kernel serves it. */
    public static FuseLoop start(RegionTree tree, FuseOptions options) {
        FuseLoop loop = new FuseLoop(tree, options);
        loop.thread.start();
        return loop;
    }

    private void run() {
        try {
            String[] arguments = options.fuseArguments().toArray(String[]::new);
            fs.mount(options.mountPoint(), true, options.debug(), arguments);
        } catch (Throwable t) {
            failure.set(t);
        }
    }

    /** Waits until libfuse's {@code init} shows the mount is usable; fails if libfuse ends first or {@code timeout} passes. */
    public void awaitInit(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (!fs.initialized().await(20, TimeUnit.MILLISECONDS)) {
                if (!thread.isAlive()) {
                    Throwable cause = failure.get();
                    throw new IOException(
                            "libfuse could not mount " + options.mountPoint()
                                    + (cause == null ? "" : ": " + cause.getMessage()),
                            cause);
                }
                if (System.nanoTime() > deadline) {
                    throw new IOException("the mount of " + options.mountPoint() + " was not ready after " + timeout);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while mounting " + options.mountPoint(), e);
        }
    }

    /** Whether libfuse still serves the mount (or a lazily detached one). */
    public boolean isRunning() {
        return thread.isAlive();
    }

    /** Blocks until libfuse has ended. */
    public void join() throws InterruptedException {
        thread.join();
    }

    /** Blocks until libfuse has ended or {@code timeout} has passed. */
    public void join(Duration timeout) throws InterruptedException {
        thread.join(timeout.toMillis());
    }
}
