package org.gntfs.grant.xen;

import java.nio.file.Path;
import java.time.Duration;
import jnr.constants.platform.Errno;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;
import org.gntfs.nativeio.NativeError;
import org.gntfs.nativeio.Posix;

/**
 * An event channel through {@code /dev/xen/evtchn}: either a loopback (an unbound port of this
 * domain, and a second port bound to it, so that a signal on the first is read as the second) or
 * an unbound port that another domain binds. Gives the tests a port that gntalloc's unmap
 * notification can really signal.
 */
public final class XenEventChannel implements AutoCloseable {
    private static final Path EVTCHN = Path.of("/dev/xen/evtchn");
    private static final int O_NONBLOCK = 04000;
    /** include/uapi/xen/evtchn.h: {u32 remote_domain, u32 remote_port} and {u32 remote_domain}. */
    private static final long IOCTL_BIND_INTERDOMAIN = IoctlNumber.none('E', 1, 8);
    private static final long IOCTL_BIND_UNBOUND_PORT = IoctlNumber.none('E', 2, 4);

    /** read(2) and write(2), which the project's own binding has no use for. */
    public interface Io {
        @SaveError
        @ssize_t
        long read(int fd, Pointer buffer, @size_t long length);

        @SaveError
        @ssize_t
        long write(int fd, Pointer buffer, @size_t long length);
    }

    private static final Io IO = LibraryLoader.create(Io.class).failImmediately().load("c");
    private static final jnr.ffi.Runtime RUNTIME = jnr.ffi.Runtime.getRuntime(IO);

    private final int fd;
    private final int signalled;
    private final int delivered;

    private XenEventChannel(int fd, int signalled, int delivered) {
        this.fd = fd;
        this.signalled = signalled;
        this.delivered = delivered;
    }

    /** Binds the pair in domain {@code self}. */
    static XenEventChannel loopback(int self) throws NativeError, InterruptedException {
        int fd = Posix.open(EVTCHN, Posix.O_RDWR | O_NONBLOCK, 0);
        int signalled = bindUnbound(fd, self);
        Pointer interdomain = Posix.allocate(8);
        interdomain.putInt(0, self);
        interdomain.putInt(4, signalled);
        int delivered = Posix.ioctl(fd, "IOCTL_EVTCHN_BIND_INTERDOMAIN", IOCTL_BIND_INTERDOMAIN, interdomain);
        XenEventChannel channel = new XenEventChannel(fd, signalled, delivered);
        // Xen marks the new port pending at bind, in case the other end had signalled before.
        channel.awaitEvent(Duration.ofSeconds(1));
        return channel;
    }

    /**
     * An unbound port of this domain that domain {@code remote} binds (xenevtchn_bind_interdomain);
     * its events arrive there, none here.
     */
    public static XenEventChannel unboundFor(int remote) throws NativeError {
        int fd = Posix.open(EVTCHN, Posix.O_RDWR | O_NONBLOCK, 0);
        int port = bindUnbound(fd, remote);
        return new XenEventChannel(fd, port, -1);
    }

    private static int bindUnbound(int fd, int remote) throws NativeError {
        Pointer unbound = Posix.allocate(4);
        unbound.putInt(0, remote);
        return Posix.ioctl(fd, "IOCTL_EVTCHN_BIND_UNBOUND_PORT", IOCTL_BIND_UNBOUND_PORT, unbound);
    }

    /** The port to give gntalloc: a signal on it arrives at the other end. */
    public int port() {
        return signalled;
    }

    /** Whether an event arrives within {@code timeout}; the port is then unmasked for the next. */
    boolean awaitEvent(Duration timeout) throws InterruptedException {
        Pointer port = Posix.allocate(4);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            long read = IO.read(fd, port, 4);
            if (read == 4) {
                IO.write(fd, port, 4);
                return port.getInt(0) == delivered;
            }
            if (read < 0 && RUNTIME.getLastError() != Errno.EAGAIN.intValue()) {
                throw new IllegalStateException("read of /dev/xen/evtchn: " + Errno.valueOf(RUNTIME.getLastError()));
            }
            Thread.sleep(10);
        }
        return false;
    }

    @Override
    public void close() throws NativeError {
        Posix.close(fd);
    }
}
