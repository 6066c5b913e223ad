package org.gntfs.fuse;

import com.google.common.collect.ImmutableMap;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.gntfs.direct.DirectMapServer;
import org.gntfs.grant.GrantBackend;
import org.gntfs.protocol.MountTable;
import org.gntfs.region.RegionTree;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A live gntfs mount and its whole lifecycle: libfuse runs a blocking mount on its own thread;
 * {@link #start} returns once libfuse's {@code init} shows the mount is usable; {@link #close}
 * unmounts, waits for libfuse to finish, releases every grant and closes the backend. Whoever
 * unmounts (us, {@code fusermount -u}, a signal), the same cleanup runs once.
 */
public final class GntfsMount implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GntfsMount.class);
    private static final Duration UNMOUNT_WAIT = Duration.ofSeconds(10);

    private final RegionTree tree;
    private final MountOptions options;
    private final @Nullable DirectMapServer directServer;
    private final GntFuseFs fs;
    private final Thread loop;
    private final AtomicReference<Throwable> loopFailure = new AtomicReference<>();
    private boolean closed;

    private GntfsMount(RegionTree tree, MountOptions options, @Nullable DirectMapServer directServer) {
        this.tree = tree;
        this.options = options;
        this.directServer = directServer;
        this.fs = new GntFuseFs(tree, options.keepCache());
        this.loop = new Thread(this::runLoop, "gntfs-fuse-loop");
    }

    /**
     * Mounts a new, empty tree of regions over {@code backend} and waits until the kernel serves
     * requests. The root belongs to this process's user; new regions go to {@code domid} unless a
     * directory says otherwise; the root shows the backend's name, the daemon's pid, the
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
                    facts.putAll(backend.properties()).buildOrThrow());
        } catch (IOException | RuntimeException e) {
            if (directServer != null) {
                directServer.close();
            }
            backend.close();
            throw e;
        }
        GntfsMount mount = new GntfsMount(tree, options, directServer);
        mount.loop.start();
        try {
            mount.awaitInit(timeout);
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

    private void runLoop() {
        try {
            String[] arguments = options.fuseArguments().toArray(String[]::new);
            fs.mount(options.mountPoint(), true, options.debug(), arguments);
        } catch (Throwable t) {
            loopFailure.set(t);
        }
    }

    private void awaitInit(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (!fs.initialized().await(20, TimeUnit.MILLISECONDS)) {
                if (!loop.isAlive()) {
                    Throwable failure = loopFailure.get();
                    throw new IOException(
                            "libfuse could not mount " + options.mountPoint()
                                    + (failure == null ? "" : ": " + failure.getMessage()),
                            failure);
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

    /** Blocks until the filesystem is unmounted, by whoever unmounts it. */
    public void awaitUnmounted() throws InterruptedException {
        loop.join();
    }

    /**
     * Unmounts if still mounted, then releases every grant, and closes the backend once libfuse
     * has stopped. Idempotent. If open files keep a lazily detached mount alive, the backend's
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
            if (loop.isAlive()) {
                unmount(options.mountPoint());
                loop.join(UNMOUNT_WAIT.toMillis());
                if (loop.isAlive()) {
                    log.warn("libfuse still serves {} after {}: open files keep the lazy unmount alive",
                            options.mountPoint(), UNMOUNT_WAIT);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            tree.releaseAll();
            if (!loop.isAlive()) {
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

    /**
     * Unmounts cleanly with fusermount, or as root with umount; if the mount is busy or those
     * fail, detaches it lazily (as its owner, or as root) so that libfuse ends once the last user
     * lets go.
     */
    static void unmount(Path mountPoint) throws InterruptedException {
        for (List<String> command : List.of(
                List.of("fusermount", "-u", "--", mountPoint.toString()),
                List.of("umount", "--", mountPoint.toString()),
                List.of("fusermount", "-u", "-z", "--", mountPoint.toString()),
                List.of("umount", "-l", "--", mountPoint.toString()))) {
            if (!isMounted(mountPoint)) {
                return;
            }
            runQuietly(command);
        }
    }

    private static void runQuietly(List<String> command) throws InterruptedException {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            if (!process.waitFor(UNMOUNT_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                log.warn("{} did not finish in {}", command, UNMOUNT_WAIT);
                return;
            }
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (process.exitValue() != 0) {
                log.debug("{} failed: {}", command, output);
            }
        } catch (IOException e) {
            log.debug("{} could not run: {}", command, e.getMessage());
        }
    }

    /** Whether {@code mountPoint} is a mount point in this process's namespace. */
    static boolean isMounted(Path mountPoint) {
        try {
            return MountTable.typeAt(mountPoint).isPresent();
        } catch (IOException e) {
            return true;
        }
    }
}
