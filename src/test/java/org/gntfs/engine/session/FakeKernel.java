package org.gntfs.engine.session;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jnr.ffi.LibraryLoader;
import org.gntfs.engine.abi.InHeader;
import org.gntfs.engine.abi.InitIn;
import org.gntfs.engine.abi.Opcode;
import org.gntfs.nativeio.FuseDevice;
import org.gntfs.nativeio.NativeError;
import org.gntfs.nativeio.Posix;

/**
 * The kernel's side of a FUSE connection, played over a SOCK_SEQPACKET socket pair: like
 * /dev/fuse it keeps each message whole. {@link #serverFd} is what a session serves.
 */
final class FakeKernel implements AutoCloseable {
    private static final int AF_UNIX = 1;
    private static final int SOCK_SEQPACKET = 5;

    /** Public because jnr-ffi implements it from another class loader. */
    public interface Sockets {
        int socketpair(int domain, int type, int protocol, int[] fds);
    }

    private static final Sockets SOCKETS = LibraryLoader.create(Sockets.class).failImmediately().load("c");

    private final int kernelFd;
    private final int serverFd;
    private final ByteBuffer out = ByteBuffer.allocateDirect(1 << 16).order(ByteOrder.nativeOrder());
    private final ByteBuffer in = ByteBuffer.allocateDirect(1 << 21).order(ByteOrder.nativeOrder());
    private long unique = 2;

    FakeKernel() {
        int[] pair = new int[2];
        if (SOCKETS.socketpair(AF_UNIX, SOCK_SEQPACKET, 0, pair) != 0) {
            throw new IllegalStateException("socketpair failed");
        }
        kernelFd = pair[0];
        serverFd = pair[1];
    }

    int serverFd() {
        return serverFd;
    }

    /** Sends INIT with a body of {@code bodyLength} bytes (64 from 7.36 on, 16 before). */
    long sendInit(InitIn offer, int bodyLength) throws NativeError {
        offer.write(out, InHeader.SIZE);
        return send(Opcode.INIT, 0, bodyLength);
    }

    /** Sends a request whose body the caller has put at {@link #body()}; returns its unique. */
    long send(int opcode, long nodeId, int bodyLength) throws NativeError {
        long id = unique;
        unique += 2;
        InHeader.put(out, InHeader.SIZE + bodyLength, opcode, id, nodeId, 1000, 1000, 4242);
        FuseDevice.write(kernelFd, Posix.MEMORY.getDirectBufferAddress(out), InHeader.SIZE + bodyLength);
        return id;
    }

    /** The body of the next request to send. */
    ByteBuffer body() {
        return out;
    }

    /** Puts a NUL-terminated name at body offset {@code at}; returns the body length after it. */
    int putName(int at, String name) {
        byte[] bytes = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        out.put(InHeader.SIZE + at, bytes).put(InHeader.SIZE + at + bytes.length, (byte) 0);
        return at + bytes.length + 1;
    }

    /** Reads the next reply: the buffer holds it from 0, out-header first. */
    ByteBuffer reply() throws NativeError {
        int length = FuseDevice.read(kernelFd, Posix.MEMORY.getDirectBufferAddress(in), in.capacity());
        in.limit(length);
        return in;
    }

    /** Hangs up, as an unmount would: the session's next read ends it. */
    @Override
    public void close() {
        Posix.closeQuietly(kernelFd);
    }
}
