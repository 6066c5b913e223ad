package org.gntfs.direct;

import static com.google.common.base.Preconditions.checkState;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import jnr.constants.platform.Errno;
import org.gntfs.Errnos;
import org.gntfs.Fault;
import org.gntfs.GntfsException;
import org.gntfs.nativeio.NativeError;
import org.gntfs.nativeio.OpenFileInfo;
import org.gntfs.nativeio.Posix;
import org.gntfs.nativeio.UnixSocket;
import org.gntfs.nativeio.UnixSocket.Credentials;
import org.gntfs.protocol.DirectProtocol;
import org.gntfs.region.DirectMapping;
import org.gntfs.region.RegionTree;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The direct-mapping socket beside a mount. Each connection asks for one region by sending a
 * descriptor of it that the client opened through the mount (so the kernel decided the access);
 * the answer carries descriptors of the region's grant space and where the region lies in them,
 * and the connection then stands for the mapping: a writer's holds the region, which may not
 * shrink under it, until the client closes the connection or dies. One thread waits for
 * connections, one per connection waits for its end; the requests are few and the threads mostly
 * blocked. What hostile clients can make it warn about is bounded by a {@link LogBudget}.
 */
public final class DirectMapServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DirectMapServer.class);
    private static final int BACKLOG = 64;
    /** A client that connects must ask at once: a silent one would keep a thread for nothing. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    private static final long THREAD_STACK = 256 * 1024;
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;
    private static final int WARNINGS_PER_MINUTE = 10;

    private final Path path;
    private final UnixSocket listener;
    private final Thread acceptor;
    private final LogBudget warnings = new LogBudget(log, WARNINGS_PER_MINUTE, System::nanoTime);

    @GuardedBy("this")
    private final ConnectionLimits limits;

    @GuardedBy("this")
    private ClientDescriptors descriptors;

    @GuardedBy("this")
    private final Set<UnixSocket> connections = new HashSet<>();

    @GuardedBy("this")
    private final Set<Thread> workers = new HashSet<>();

    @GuardedBy("this")
    private boolean closed;

    private DirectMapServer(Path path, UnixSocket listener, ConnectionLimits limits) {
        this.path = path;
        this.listener = listener;
        this.limits = limits;
        this.acceptor = new Thread(null, this::acceptLoop, "gntfs-direct-accept", THREAD_STACK);
        this.acceptor.setDaemon(true);
    }

    /**
     * Listens at {@code path}, open to every user (each request is checked against the region's
     * permissions); connections wait until {@link #serve}. A socket left there by a daemon that
     * died is replaced; a live one, or anything that is not a socket, is not.
     */
    public static DirectMapServer bind(Path path) throws IOException {
        return bind(path, new ConnectionLimits());
    }

    static DirectMapServer bind(Path path, ConnectionLimits limits) throws IOException {
        removeIfStale(path);
        UnixSocket listener = UnixSocket.listen(path, BACKLOG);
        try {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-rw-rw-"));
        } catch (IOException e) {
            listener.close();
            Files.deleteIfExists(path);
            throw e;
        }
        return new DirectMapServer(path, listener, limits);
    }

    /**
     * Starts answering, with the regions of {@code regions}, mounted (live) at {@code mountRoot}:
     * its mount is the one a client's descriptor must be open on.
     */
    public void serve(RegionTree regions, Path mountRoot) throws IOException {
        serve(regions, OpenFileInfo.mountIdOf(mountRoot));
    }

    synchronized void serve(RegionTree regions, int mountId) {
        checkState(descriptors == null, "already serving");
        descriptors = new ClientDescriptors(regions, mountId);
        acceptor.start();
    }

    private static void removeIfStale(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        if ((mode & S_IFMT) != S_IFSOCK) {
            throw new IOException(path + " exists and is not a socket");
        }
        try (UnixSocket probe = UnixSocket.connect(path)) {
            throw new IOException(path + " is in use by a running daemon");
        } catch (NativeError e) {
            if (!e.is(Errno.ECONNREFUSED)) {
                throw e;
            }
        }
        Files.delete(path);
        log.info("removed {}, left by a daemon that is gone", path);
    }

    public Path path() {
        return path;
    }

    private void acceptLoop() {
        while (true) {
            try {
                if (!acceptOne()) {
                    return;
                }
            } catch (OutOfMemoryError e) { // a full heap fails this client only; the socket goes on
                warnings.warn("cannot take a direct-mapping connection: {}", "out of memory");
                pause();
            }
        }
    }

    /** Takes one connection; false once the socket is closed or broken. */
    private boolean acceptOne() {
        UnixSocket connection;
        try {
            connection = listener.accept();
        } catch (NativeError e) {
            synchronized (this) {
                if (closed) {
                    return false;
                }
            }
            if (Errnos.faultOf(e) == Fault.NO_SPACE) { // out of descriptors or memory: a pause may mend it
                warnings.warn("cannot take a direct-mapping connection: {}", e.getMessage());
                pause();
                return true;
            }
            log.error("the direct-mapping socket {} stopped: {}", path, e.getMessage());
            return false;
        }
        try {
            startWorker(connection);
        } catch (OutOfMemoryError e) {
            connection.close();
            throw e;
        }
        return true;
    }

    /** Lets descriptors come back before trying again; only ever reached when the process has none left. */
    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void startWorker(UnixSocket connection) {
        Credentials who;
        try {
            who = connection.peerCredentials();
        } catch (NativeError e) {
            warnings.warn("cannot tell who connected to the direct-mapping socket: {}", e.getMessage());
            connection.close();
            return;
        }
        GntfsException refusal = admit(connection, who);
        if (refusal != null) {
            refuse(connection, refusal);
            connection.close();
            return;
        }
        Thread worker = new Thread(null, () -> serve(connection, who), "gntfs-direct", THREAD_STACK);
        worker.setDaemon(true);
        synchronized (this) {
            workers.add(worker);
        }
        try {
            worker.start();
        } catch (Throwable e) {
            // Out of threads (a pids limit): this client is refused, the socket goes on.
            warnings.warn("cannot start a thread for a direct-mapping connection: {}", e.toString());
            synchronized (this) {
                workers.remove(worker);
            }
            forget(connection, who);
            refuse(connection, GntfsException.of(Fault.TRY_AGAIN, "the daemon cannot take more connections now"));
            connection.close();
        }
    }

    /** Counts the connection in, or says why not. */
    private synchronized GntfsException admit(UnixSocket connection, Credentials who) {
        if (closed) {
            return GntfsException.of(Fault.TRY_AGAIN, "the mount is going away");
        }
        Optional<String> tooMany = limits.admit(who.uid());
        if (tooMany.isPresent()) {
            return GntfsException.of(Fault.TRY_AGAIN, "%s", tooMany.get());
        }
        connections.add(connection);
        return null;
    }

    private synchronized void forget(UnixSocket connection, Credentials who) {
        connections.remove(connection);
        limits.release(who.uid());
    }

    /** One connection, from request to the end of the mapping it stands for. */
    private void serve(UnixSocket connection, Credentials who) {
        try {
            DirectMapping mapping = answer(connection, who);
            if (mapping != null) {
                try {
                    awaitEnd(connection);
                } finally {
                    mapping.close();
                }
            }
        } catch (IOException | RuntimeException e) {
            warnings.warn("direct-mapping connection failed: {}", e.toString());
        } finally {
            forget(connection, who);
            synchronized (this) {
                workers.remove(Thread.currentThread());
            }
            connection.close();
        }
    }

    /** Reads the request and answers it; returns the mapping now lent, or null if refused. */
    private DirectMapping answer(UnixSocket connection, Credentials who) throws IOException {
        ClientDescriptors clientDescriptors;
        synchronized (this) {
            clientDescriptors = this.descriptors;
        }
        DirectMapping mapping;
        try {
            int[] sent = RequestReader.read(connection, REQUEST_TIMEOUT);
            if (sent == null) {
                return null;
            }
            try {
                ClientDescriptors.Opened opened = clientDescriptors.identify(sent);
                mapping = opened.region().lend(opened.write());
            } finally {
                closeAll(sent);
            }
        } catch (GntfsException e) {
            log.debug("refused a direct mapping to pid {} uid {}: {}", who.pid(), who.uid(), e.getMessage());
            refuse(connection, e);
            return null;
        }
        try {
            send(connection, mapping);
            log.debug("lent {} ({} bytes) to pid {} uid {}", mapping.region().path(), mapping.size(), who.pid(), who.uid());
            return mapping;
        } catch (IOException | RuntimeException e) {
            mapping.close();
            throw e;
        }
    }

    /** Sends the answer, its descriptors at most {@link UnixSocket#MAX_DESCRIPTORS} a message, then closes the daemon's copies. */
    private static void send(UnixSocket connection, DirectMapping mapping) throws NativeError {
        int[] lent = mapping.descriptors().toArray();
        DirectProtocol.Answer answer = new DirectProtocol.Answer(mapping.size(), mapping.domid(), mapping.write(),
                lent.length, mapping.segments(), mapping.grefs().asList());
        int batch = Math.min(lent.length, UnixSocket.MAX_DESCRIPTORS);
        connection.send(DirectProtocol.answerHead(answer), Arrays.copyOfRange(lent, 0, batch));
        for (int from = batch; from < lent.length; from += batch) {
            batch = Math.min(lent.length - from, UnixSocket.MAX_DESCRIPTORS);
            connection.send(DirectProtocol.moreDescriptors(batch), Arrays.copyOfRange(lent, from, from + batch));
        }
        mapping.closeDescriptors();
        connection.send(DirectProtocol.answerBody(answer));
    }

    static void closeAll(int[] descriptors) {
        for (int descriptor : descriptors) {
            Posix.closeQuietly(descriptor);
        }
    }

    static void refuse(UnixSocket connection, GntfsException why) {
        try {
            connection.send(DirectProtocol.refusal(new DirectProtocol.Refusal(Errnos.of(why.fault()), why.getMessage())));
        } catch (NativeError e) {
            log.debug("could not tell a direct-mapping client why not: {}", e.getMessage());
        }
    }

    /** Waits until the client closes its end, dies, or the server closes. Bytes sent meanwhile mean nothing. */
    private static void awaitEnd(UnixSocket connection) {
        try {
            while (connection.receive(256).length > 0) {
                // A mapping's connection carries nothing more; reading keeps its buffer empty.
            }
        } catch (NativeError e) {
            // A reset connection ends the mapping just as a closed one does.
        }
    }

    /**
     * Stops taking connections, ends every mapping lent (the clients' pages stay mapped, but the
     * regions no longer wait for them), and removes the socket.
     */
    @Override
    public void close() throws IOException {
        List<Thread> running;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            listener.shutdown();
            connections.forEach(UnixSocket::shutdown);
            running = List.copyOf(workers);
        }
        try {
            if (acceptor.isAlive()) {
                acceptor.join();
            }
            for (Thread worker : running) {
                worker.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        listener.close();
        Files.deleteIfExists(path);
    }
}
