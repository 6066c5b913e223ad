package org.gntfs.nativeio;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.lang.ref.Reference;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * A unix stream socket with what the JDK's channels lack: the peer's credentials as the kernel
 * saw them at connect (SO_PEERCRED, SO_PEERGROUPS), and descriptors passed along with bytes
 * (SCM_RIGHTS). Blocking; {@link #shutdown()} wakes a thread blocked in it. The structures are
 * those of 64-bit Linux.
 */
public final class UnixSocket implements AutoCloseable {
    private static final int AF_UNIX = 1;
    private static final int SOCK_STREAM = 1;
    private static final int SOCK_CLOEXEC = 02000000;
    private static final int SOL_SOCKET = 1;
    private static final int SO_PEERCRED = 17;
    private static final int SO_RCVTIMEO = 20;
    private static final int SO_PEERGROUPS = 59;
    private static final int SCM_RIGHTS = 1;
    private static final int SHUT_RDWR = 2;
    private static final int MSG_NOSIGNAL = 0x4000;
    private static final int MSG_CMSG_CLOEXEC = 0x40000000;
    private static final int EINTR = 4;
    private static final int ERANGE = 34;
    private static final int ENOPROTOOPT = 92;

    /** {@code sizeof(sun_path)}: a socket's path, with its NUL, fits in 108 bytes. */
    public static final int PATH_MAX = 108;

    private static final int MSGHDR_SIZE = 56;
    private static final int IOVEC_SIZE = 16;
    private static final int CMSG_HEADER = 16;
    private static final int MSG_CTRUNC = 0x8;

    /** The most descriptors one message carries: the kernel's SCM_MAX_FD. */
    public static final int MAX_DESCRIPTORS = 253;

    /** What the kernel recorded of the process at the other end when it connected. */
    public record Credentials(int pid, int uid, int gid, List<Integer> groups) {
        public Credentials {
            groups = List.copyOf(groups);
        }
    }

    /**
     * Bytes received, and the descriptors that came with them (now this process's, closed on
     * exec), and whether the kernel had to drop some that did not fit ({@code MSG_CTRUNC}: those
     * it closed). At end of stream, no bytes.
     */
    public record Received(byte[] data, int[] descriptors, boolean truncated) {}

    /** Public because jnr-ffi implements it from another class loader. */
    public interface SocketCalls {
        @SaveError
        int socket(int domain, int type, int protocol);

        @SaveError
        int bind(int fd, Pointer address, int length);

        @SaveError
        int listen(int fd, int backlog);

        @SaveError
        int accept4(int fd, Pointer address, Pointer length, int flags);

        @SaveError
        int connect(int fd, Pointer address, int length);

        @SaveError
        @ssize_t
        long sendmsg(int fd, Pointer message, int flags);

        @SaveError
        @ssize_t
        long recvmsg(int fd, Pointer message, int flags);

        @SaveError
        int getsockopt(int fd, int level, int name, Pointer value, Pointer length);

        @SaveError
        int setsockopt(int fd, int level, int name, Pointer value, int length);

        @SaveError
        int shutdown(int fd, int how);

        @SaveError
        @ssize_t
        long send(int fd, Pointer buffer, @size_t long length, int flags);

        @SaveError
        @ssize_t
        long recv(int fd, Pointer buffer, @size_t long length, int flags);
    }

    private static final SocketCalls CALLS = LibraryLoader.create(SocketCalls.class).failImmediately().load("c");
    private static final jnr.ffi.Runtime RUNTIME = jnr.ffi.Runtime.getRuntime(CALLS);

    private final int fd;
    private boolean closed;

    private UnixSocket(int fd) {
        this.fd = fd;
    }

    /** A socket bound at {@code path}, which must not exist, and listening. */
    public static UnixSocket listen(Path path, int backlog) throws NativeError {
        UnixSocket socket = open();
        try {
            Pointer address = address(path);
            Posix.check("bind " + path, CALLS.bind(socket.fd, address, (int) address.size()));
            Reference.reachabilityFence(address);
            Posix.check("listen " + path, CALLS.listen(socket.fd, backlog));
            return socket;
        } catch (NativeError | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** A socket connected to the one listening at {@code path}. */
    public static UnixSocket connect(Path path) throws NativeError {
        UnixSocket socket = open();
        try {
            Pointer address = address(path);
            int result;
            do {
                result = CALLS.connect(socket.fd, address, (int) address.size());
            } while (result < 0 && RUNTIME.getLastError() == EINTR);
            Reference.reachabilityFence(address);
            Posix.check("connect " + path, result);
            return socket;
        } catch (NativeError | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    private static UnixSocket open() throws NativeError {
        return new UnixSocket(Posix.check("socket", CALLS.socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)));
    }

    /** {@code struct sockaddr_un} for {@code path}, sized as bind and connect want it. */
    private static Pointer address(Path path) {
        byte[] name = path.toString().getBytes(UTF_8);
        if (name.length >= PATH_MAX) {
            throw new IllegalArgumentException("the socket path " + path + " is longer than " + (PATH_MAX - 1) + " bytes");
        }
        Pointer address = Memory.allocateDirect(RUNTIME, 2 + name.length + 1, true);
        address.putShort(0, (short) AF_UNIX);
        address.put(2, name, 0, name.length);
        return address;
    }

    /** Waits for the next connection. */
    public UnixSocket accept() throws NativeError {
        int client;
        do {
            client = CALLS.accept4(fd, null, null, SOCK_CLOEXEC);
        } while (client < 0 && RUNTIME.getLastError() == EINTR);
        return new UnixSocket(Posix.check("accept", client));
    }

    /**
     * Who is at the other end: pid, uid, gid, and the supplementary groups (none on kernels
     * before 4.13, which cannot tell them).
     */
    public Credentials peerCredentials() throws NativeError {
        Pointer credentials = Memory.allocateDirect(RUNTIME, 12, true);
        Pointer length = Memory.allocateDirect(RUNTIME, 4, true);
        length.putInt(0, 12);
        Posix.check("getsockopt(SO_PEERCRED)", CALLS.getsockopt(fd, SOL_SOCKET, SO_PEERCRED, credentials, length));
        return new Credentials(credentials.getInt(0), credentials.getInt(4), credentials.getInt(8), peerGroups());
    }

    private List<Integer> peerGroups() throws NativeError {
        for (int room = 64; ; room *= 4) {
            Pointer groups = Memory.allocateDirect(RUNTIME, room * 4, true);
            Pointer length = Memory.allocateDirect(RUNTIME, 4, true);
            length.putInt(0, room * 4);
            if (CALLS.getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, length) == 0) {
                int[] found = new int[length.getInt(0) / 4];
                groups.get(0, found, 0, found.length);
                return Arrays.stream(found).boxed().toList();
            }
            if (RUNTIME.getLastError() == ENOPROTOOPT) {
                return List.of();
            }
            if (RUNTIME.getLastError() != ERANGE) {
                throw new NativeError("getsockopt(SO_PEERGROUPS)", RUNTIME.getLastError());
            }
        }
    }

    /**
     * Makes {@link #receive} fail with EAGAIN once it has waited {@code timeout}; zero waits
     * for ever.
     */
    public void setReceiveTimeout(Duration timeout) throws NativeError {
        Pointer timeval = Memory.allocateDirect(RUNTIME, 16, true);
        timeval.putLong(0, timeout.getSeconds());
        timeval.putLong(8, timeout.getNano() / 1000);
        Posix.check("setsockopt(SO_RCVTIMEO)", CALLS.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, timeval, 16));
        Reference.reachabilityFence(timeval);
    }

    /** Sends all of {@code data}. */
    public void send(byte[] data) throws NativeError {
        send(data, new int[0]);
    }

    /**
     * Sends all of {@code data}; {@code descriptors}, if any (at most {@link #MAX_DESCRIPTORS}),
     * travel with its first byte.
     */
    public void send(byte[] data, int[] descriptors) throws NativeError {
        if (data.length == 0 || descriptors.length > MAX_DESCRIPTORS) {
            throw new IllegalArgumentException("descriptors travel with at least one byte, at most " + MAX_DESCRIPTORS);
        }
        Pointer buffer = Memory.allocateDirect(RUNTIME, data.length, true);
        buffer.put(0, data, 0, data.length);
        int sent = 0;
        if (descriptors.length > 0) {
            Pointer control = Memory.allocateDirect(RUNTIME, controlSpace(descriptors.length), true);
            control.putLong(0, CMSG_HEADER + 4L * descriptors.length);
            control.putInt(8, SOL_SOCKET);
            control.putInt(12, SCM_RIGHTS);
            control.put(CMSG_HEADER, descriptors, 0, descriptors.length);
            Pointer iovec = iovec(buffer, data.length);
            Pointer message = message(iovec, control);
            sent = (int) retrying("sendmsg", () -> CALLS.sendmsg(fd, message, MSG_NOSIGNAL));
            Reference.reachabilityFence(iovec);
            Reference.reachabilityFence(control);
        }
        while (sent < data.length) {
            int from = sent;
            sent += (int) retrying("send", () -> CALLS.send(fd, buffer.slice(from), data.length - from, MSG_NOSIGNAL));
        }
    }

    /** {@code CMSG_SPACE(count * sizeof(int))}. */
    private static int controlSpace(int count) {
        return CMSG_HEADER + (4 * count + 7) / 8 * 8;
    }

    /**
     * Receives up to {@code max} bytes, and no descriptor: any sent along are closed by the
     * kernel, never installed here. An empty array means the end of the stream.
     */
    public byte[] receive(int max) throws NativeError {
        Pointer buffer = Memory.allocateDirect(RUNTIME, max, true);
        int count = (int) retrying("recv", () -> CALLS.recv(fd, buffer, max, 0));
        byte[] data = new byte[count];
        buffer.get(0, data, 0, count);
        return data;
    }

    /**
     * Receives up to {@code max} bytes, and the descriptors that came with them, with room for
     * {@code room} of them (the kernel counts the room in whole 8-byte words, so an odd room holds
     * one more); descriptors beyond the room are closed by the kernel, and reported as truncated.
     */
    public Received receiveWithDescriptors(int max, int room) throws NativeError {
        Pointer buffer = Memory.allocateDirect(RUNTIME, max, true);
        int space = controlSpace(room);
        Pointer control = Memory.allocateDirect(RUNTIME, space, true);
        Pointer iovec = iovec(buffer, max);
        Pointer message = message(iovec, control);
        message.putLong(40, space);
        int count = (int) retrying("recvmsg", () -> CALLS.recvmsg(fd, message, MSG_CMSG_CLOEXEC));
        Reference.reachabilityFence(iovec);
        byte[] data = new byte[count];
        buffer.get(0, data, 0, count);
        int[] descriptors = new int[0];
        long controlLength = message.getLong(40);
        if (controlLength >= CMSG_HEADER && control.getInt(8) == SOL_SOCKET && control.getInt(12) == SCM_RIGHTS) {
            descriptors = new int[(int) (control.getLong(0) - CMSG_HEADER) / 4];
            control.get(CMSG_HEADER, descriptors, 0, descriptors.length);
        }
        return new Received(data, descriptors, (message.getInt(48) & MSG_CTRUNC) != 0);
    }

    /**
     * {@code struct iovec} of one buffer. Native memory goes with its Pointer, so the caller keeps
     * this one reachable until the call that reads it through a message returns.
     */
    private static Pointer iovec(Pointer buffer, long length) {
        Pointer iovec = Memory.allocateDirect(RUNTIME, IOVEC_SIZE, true);
        iovec.putPointer(0, buffer);
        iovec.putLong(8, length);
        return iovec;
    }

    /** {@code struct msghdr} with one buffer and a control buffer of {@code control.size()} bytes. */
    private static Pointer message(Pointer iovec, Pointer control) {
        Pointer message = Memory.allocateDirect(RUNTIME, MSGHDR_SIZE, true);
        message.putPointer(16, iovec);
        message.putLong(24, 1);
        message.putPointer(32, control);
        message.putLong(40, control.size());
        return message;
    }

    private interface Call {
        long run();
    }

    private static long retrying(String name, Call call) throws NativeError {
        long result;
        do {
            result = call.run();
        } while (result < 0 && RUNTIME.getLastError() == EINTR);
        if (result < 0) {
            throw new NativeError(name, RUNTIME.getLastError());
        }
        return result;
    }

    /** Ends both directions: a thread blocked in {@link #accept} or {@link #receive} returns. */
    public void shutdown() {
        CALLS.shutdown(fd, SHUT_RDWR);
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            Posix.closeQuietly(fd);
        }
    }
}
