package org.gntfs.daemon;

import com.google.common.collect.ImmutableMap;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import org.gntfs.direct.DirectMapServer;
import org.gntfs.fuse.FuseLoop;
import org.gntfs.grant.GrantBackend;
import org.gntfs.protocol.MountTable;
import org.gntfs.region.RegionTree;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A live gntfs mount and its whole lifecycle, the daemon's composition root: it builds the tree of
 * regions over a backend, the direct-mapping socket server and libfuse's loop ({@link FuseLoop}).
 * {@link #start} returns once libfuse's {@code init} shows the mount is usable; {@link #close}
 * ends direct mappings, unmounts (its own gntfs mount only: see {@link OwnMountUnmount}), waits
 * for libfuse to finish, releases every grant and closes the backend. Whoever unmounts (us,
 * {@code fusermount -u}, a signal), the same cleanup runs once.
 */
public final class GntfsMount implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GntfsMount.class);
    private static final Duration UNMOUNT_WAIT = OwnMountUnmount.COMMAND_WAIT;

    private final RegionTree tree;
    private final MountOptions options;
    private final @Nullable DirectMapServer directServer;
    private final FuseLoop loop;
    private boolean closed;

    private GntfsMount(RegionTree tree, MountOptions options, @Nullable DirectMapServer directServer) {
        this.tree = tree;
        this.options = options;
        this.directServer = directServer;
        this.loop = FuseLoop.start(tree, options.fuse());
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
        } catch (IOException | RuntimeException e) {
            if (directServer != null) {
                directServer.close();
            }
            backend.close();
            throw e;
        }
        GntfsMount mount = new GntfsMount(tree, options, directServer);
        try {
            mount.loop.awaitInit(timeout);
            if (options.tuneWriteback()) {
                BdiTuning.liftDirtyLimit(options.mountPoint());
            }
            if (directServer != null) {
                directServer.serve(tree);
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

    /** Closes this mount when the JVM shuts down (SIGTERM, SIGINT), if it has not been closed by then. */
    public void closeOnShutdown() {
        Runtime.getRuntime().addShutdownHook(new Thread(this::close, "gntfs-shutdown"));
    }

    /**
     * Unmounts if still mounted (never what another mount put over it), then releases every grant,
     * and closes the backend once libfuse has stopped. Idempotent. If open files keep a lazily detached mount alive, the backend's
     * memory stays mapped (the loop may still copy into it) until the process exits; released
     * regions answer those late calls with EIO.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            closeDirectServer();
            if (loop.isRunning() && OwnMountUnmount.unmount(options.mountPoint())) {
                loop.join(UNMOUNT_WAIT);
                if (loop.isRunning()) {
                    log.warn("libfuse still serves {} after {}: open files keep the lazy unmount alive",
                            options.mountPoint(), UNMOUNT_WAIT);
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
