package org.gntfs.daemon;

import com.google.common.collect.ImmutableMap;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import org.gntfs.direct.DirectMapServer;
import org.gntfs.fuse.KernelLoop;
import org.gntfs.grant.GrantBackend;
import org.gntfs.region.RegionTree;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A live gntfs mount and its whole lifecycle, the daemon's composition root: it builds the tree of
 * regions over a backend, the direct-mapping socket server and the FUSE engine's loop that serves
 * the tree ({@link KernelLoop}). {@link #start} returns once the kernel's INIT shows the mount is
 * usable; {@link #close} ends direct mappings, unmounts (its own gntfs mount only: see
 * {@link OwnMountUnmount}), waits for the loop to finish, releases every grant and closes the
 * backend. Whoever unmounts (us, {@code fusermount3 -u}, a signal), the same cleanup runs once.
 */
public final class GntfsMount implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GntfsMount.class);
    /** How long the FUSE loop may take to end once its mount is gone: it only finishes requests. */
    private static final Duration LOOP_END_WAIT = Duration.ofSeconds(10);

    private final RegionTree tree;
    private final MountOptions options;
    private final @Nullable DirectMapServer directServer;
    private final KernelLoop loop;
    /** Closes this mount when the JVM shuts down (SIGTERM, SIGINT), if it has not been closed by then. */
    private final Thread shutdownHook = new Thread(this::close, "gntfs-shutdown");
    private boolean closed;

    private GntfsMount(RegionTree tree, MountOptions options, @Nullable DirectMapServer directServer, KernelLoop loop) {
        this.tree = tree;
        this.options = options;
        this.directServer = directServer;
        this.loop = loop;
    }

    /**
     * Mounts a new, empty tree of regions over {@code backend} and waits until the kernel serves
     * requests. The root belongs to this process's user, with the options' mode; new regions go
     * to {@code domid} unless a directory says otherwise; the root shows the backend's name, the daemon's pid, the
     * direct-mapping socket and the backend's own facts as {@code user.gnt.*}, which is how
     * {@code gntfs peer} and direct-mapping clients find them. On failure nothing is left mounted
     * and the backend is closed.
     */
    public static GntfsMount start(GrantBackend backend, int domid, MountOptions options, Duration timeout)
            throws IOException {
        DirectMapServer directServer = null;
        RegionTree tree;
        KernelLoop loop;
        try {
            directServer = bindDirectSocket(options);
            ImmutableMap.Builder<String, String> facts = ImmutableMap.<String, String>builder()
                    .put("backend", backend.name())
                    .put("pid", Long.toString(ProcessHandle.current().pid()));
            if (directServer != null) {
                facts.put("socket", directServer.path().toString());
            }
            Path self = Path.of("/proc/self");
            tree = new RegionTree(
                    backend,
                    InstantSource.system(),
                    domid,
                    (Integer) Files.getAttribute(self, "unix:uid"),
                    (Integer) Files.getAttribute(self, "unix:gid"),
                    facts.putAll(backend.properties()).buildOrThrow(),
                    options.limits());
            tree.chmod(tree.root(), options.rootMode());
            loop = KernelLoop.start(tree, options.fuse());
        } catch (IOException | RuntimeException e) {
            if (directServer != null) {
                directServer.close();
            }
            backend.close();
            throw e;
        }
        GntfsMount mount = new GntfsMount(tree, options, directServer, loop);
        // Before the mount can go live: a SIGTERM that comes as soon as it answers still unmounts it.
        Runtime.getRuntime().addShutdownHook(mount.shutdownHook);
        try {
            mount.loop.awaitInit(timeout);
            if (options.tuneWriteback()) {
                BdiTuning.liftDirtyLimit(options.mountPoint());
            }
            if (directServer != null) {
                directServer.serve(tree, options.mountPoint());
            }
            return mount;
        } catch (IOException | RuntimeException e) {
            mount.close();
            throw e;
        }
    }

    private static @Nullable DirectMapServer bindDirectSocket(MountOptions options) throws IOException {
        if (options.directSocket() == null) {
            return null;
        }
        try {
            return DirectMapServer.bind(options.directSocket());
        } catch (IOException | IllegalArgumentException e) {
            if (options.directSocketRequired()) {
                throw new IOException("cannot make the direct-mapping socket " + options.directSocket() + ": "
                        + e.getMessage(), e);
            }
            log.warn("no direct mapping on this mount: cannot make {}: {}", options.directSocket(), e.getMessage());
            return null;
        }
    }

    public Path mountPoint() {
        return options.mountPoint();
    }

    public RegionTree tree() {
        return tree;
    }

    /** Blocks until the filesystem is unmounted, by whoever unmounts it. */
    public void awaitUnmounted() throws InterruptedException {
        loop.join();
    }

    /**
     * Unmounts if still mounted (never what another mount put over it), then releases every grant,
     * and closes the backend once the loop has stopped. Idempotent. If open files keep a lazily
     * detached mount alive, the backend's memory stays mapped (the loop may still copy into it)
     * until the process exits; released regions answer those late calls with EIO.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException shuttingDown) {
                // The hook has started and will find this mount closed.
            }
        }
        try {
            closeDirectServer();
            if (loop.isRunning() && OwnMountUnmount.unmount(options.mountPoint())) {
                loop.join(LOOP_END_WAIT);
                if (loop.isRunning()) {
                    log.warn("the FUSE loop still serves {} after {}: open files keep the lazy unmount alive",
                            options.mountPoint(), LOOP_END_WAIT);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            tree.releaseAll();
            if (!loop.isRunning()) {
                tree.backend().close();
            }
        }
    }

    /** Direct mappings end before the unmount, so that their regions can be released with the rest. */
    private void closeDirectServer() {
        if (directServer == null) {
            return;
        }
        try {
            directServer.close();
        } catch (IOException e) {
            log.warn("could not close the direct-mapping socket {}: {}", directServer.path(), e.getMessage());
        }
    }
}
