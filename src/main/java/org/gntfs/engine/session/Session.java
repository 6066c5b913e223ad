package org.gntfs.engine.session;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.gntfs.engine.abi.InitIn;
import org.gntfs.nativeio.FuseDevice;
import org.gntfs.nativeio.NativeError;
import org.gntfs.nativeio.Posix;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One FUSE connection served: the INIT handshake, then {@link SessionConfig#workers} threads that
 * each read requests and answer them inline (no hand-off between threads, which costs more than a
 * request). The first thread reads INIT alone on the mount's descriptor; once it is answered the
 * others start, on the same descriptor or on clones of it. The session ends when reads fail with
 * ENODEV (unmounted: by anyone, lazily detached ones once their last user lets go) or
 * ECONNABORTED (the connection was aborted, e.g. through fusectl); then the filesystem is told
 * ({@link FuseFilesystem#destroy}) and the descriptors are closed, never earlier: a reader blocked
 * in read(2) keeps its file alive, so closing from outside would not wake it.
 */
public final class Session {
    private static final Logger log = LoggerFactory.getLogger(Session.class);

    private final int fd;
    private final FuseFilesystem fs;
    private final ErrorMapper errors;
    private final SessionConfig config;
    private final Thread main;
    private final CountDownLatch established = new CountDownLatch(1);
    private final Notifier notifier;
    private volatile long flags;
    private volatile int minor;
    private volatile @Nullable Throwable failure;
    private volatile Worker.@Nullable End end;

    private Session(int fd, FuseFilesystem fs, ErrorMapper errors, SessionConfig config, String name) {
        this.fd = fd;
        this.fs = fs;
        this.errors = errors;
        this.config = config;
        this.notifier = new Notifier(fd);
        this.main = new Thread(this::run, name + "-0");
    }

    /** Serves the connection of {@code fd} (which the session closes at its end) on threads named {@code name-N}. */
    public static Session start(int fd, FuseFilesystem fs, ErrorMapper errors, SessionConfig config, String name) {
        Session session = new Session(fd, fs, errors, config, name);
        session.main.start();
        return session;
    }

    private void run() {
        List<Thread> others = new ArrayList<>();
        List<Integer> clones = new ArrayList<>();
        try {
            Worker first = new Worker(this, fd);
            Worker.End initEnd = first.serve(true);
            if (isEstablished()) {
                for (int i = 1; i < config.workers(); i++) {
                    int workerFd = config.cloneDevice() ? FuseDevice.cloneOf(fd) : fd;
                    if (workerFd != fd) {
                        clones.add(workerFd);
                    }
                    Worker worker = new Worker(this, workerFd);
                    Thread thread = new Thread(() -> record(worker.serve(false)), main.getName().replaceAll("-0$", "-" + i));
                    thread.setDaemon(true);
                    others.add(thread);
                    thread.start();
                }
                record(first.serve(false));
            } else {
                record(initEnd);
            }
            for (Thread thread : others) {
                thread.join();
            }
        } catch (NativeError | RuntimeException e) {
            failure = e;
            log.error("the FUSE session failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            notifier.close();
            try {
                fs.destroy();
            } finally {
                clones.forEach(Posix::closeQuietly);
                Posix.closeQuietly(fd);
            }
        }
    }

    private void record(Worker.End workerEnd) {
        if (workerEnd == Worker.End.ABORTED && end != Worker.End.ABORTED) {
            log.warn("the FUSE connection was aborted");
        }
        if (end == null || workerEnd != Worker.End.UNMOUNTED) {
            end = workerEnd;
        }
    }

    /** Answers INIT into {@code out} at {@code outBase}; returns the reply's body length. */
    int init(ByteBuffer in, int inBase, int length, ByteBuffer out, int outBase) {
        InitIn offer = InitIn.read(in, inBase, length);
        Negotiation.Outcome outcome;
        try {
            outcome = Negotiation.negotiate(offer, config);
        } catch (FuseError e) {
            failure = e;
            throw e;
        }
        outcome.reply().write(out, outBase);
        if (outcome.established()) {
            flags = outcome.reply().flags();
            minor = outcome.reply().minor();
            log.debug("FUSE {}.{} offered flags {}; agreed on 7.{}, flags {}, max_write {}",
                    offer.major(), offer.minor(), Long.toHexString(offer.flags()), minor, Long.toHexString(flags),
                    outcome.maxWrite());
            established.countDown();
        }
        return outcome.replySize();
    }

    boolean isEstablished() {
        return established.getCount() == 0;
    }

    /** Whether INIT agreed on {@code flag}. */
    public boolean has(long flag) {
        return (flags & flag) != 0;
    }

    /** The protocol minor agreed on, 0 before INIT. */
    public int minor() {
        return minor;
    }

    FuseFilesystem filesystem() {
        return fs;
    }

    ErrorMapper errors() {
        return errors;
    }

    public SessionConfig config() {
        return config;
    }

    public Notifier notifier() {
        return notifier;
    }

    /** Waits until INIT is answered; fails if the session ends or fails first, or {@code timeout} passes. */
    public void awaitInit(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (!established.await(20, TimeUnit.MILLISECONDS)) {
                Throwable cause = failure;
                if (cause != null || !main.isAlive()) {
                    throw new IOException("the FUSE connection was not set up"
                            + (cause == null ? "" : ": " + cause.getMessage()), cause);
                }
                if (System.nanoTime() > deadline) {
                    throw new IOException("no FUSE INIT after " + timeout);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for FUSE INIT", e);
        }
    }

    public boolean isRunning() {
        return main.isAlive();
    }

    /** Whether the connection ended by an abort rather than an unmount; false while it runs. */
    public boolean wasAborted() {
        return end == Worker.End.ABORTED;
    }

    public void join() throws InterruptedException {
        main.join();
    }

    public void join(Duration timeout) throws InterruptedException {
        main.join(Math.max(1, timeout.toMillis()));
    }
}
