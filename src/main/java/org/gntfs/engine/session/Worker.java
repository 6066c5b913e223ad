package org.gntfs.engine.session;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.gntfs.engine.abi.InHeader;
import org.gntfs.engine.abi.Opcode;
import org.gntfs.engine.abi.OutHeader;
import org.gntfs.nativeio.FuseDevice;
import org.gntfs.nativeio.NativeError;
import org.gntfs.nativeio.Posix;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread's loop: read a request from its descriptor into its own direct buffer, serve it
 * inline, write the reply with one write(2), again, until the connection ends. Every request
 * goes through {@link #handle}, the one place where a failure becomes an errno. A reply is always
 * written to the descriptor its request came from, as cloned descriptors require.
 */
final class Worker {
    private static final Logger log = LoggerFactory.getLogger(Worker.class);

    private static final int EINTR = 4;
    private static final int ENOENT = 2;
    private static final int EAGAIN = 11;
    private static final int ENODEV = 19;
    private static final int ECONNABORTED = 103;
    /** Room for the header and the largest fixed body before a WRITE's payload. */
    private static final int REQUEST_SLACK = 4096;

    /** How a worker's loop ended. */
    enum End { UNMOUNTED, ABORTED, FAILED }

    private final Session session;
    private final int fd;
    private final ByteBuffer in;
    private final long inAddress;
    private final ByteBuffer out;
    private final long outAddress;
    private final Operations operations;

    Worker(Session session, int fd) {
        this.session = session;
        this.fd = fd;
        int payload = session.config().maxPayload();
        this.in = ByteBuffer.allocateDirect(payload + REQUEST_SLACK).order(ByteOrder.nativeOrder());
        this.out = ByteBuffer.allocateDirect(payload + REQUEST_SLACK).order(ByteOrder.nativeOrder());
        this.inAddress = Posix.MEMORY.getDirectBufferAddress(in);
        this.outAddress = Posix.MEMORY.getDirectBufferAddress(out);
        this.operations = new Operations(session, in, inAddress, out, outAddress);
    }

    int fd() {
        return fd;
    }

    /** Serves requests until the connection ends, or, with {@code untilEstablished}, until INIT is done. */
    End serve(boolean untilEstablished) {
        while (!(untilEstablished && session.isEstablished())) {
            int length;
            try {
                length = FuseDevice.read(fd, inAddress, in.capacity());
            } catch (NativeError e) {
                switch (e.errno()) {
                    case EINTR, ENOENT, EAGAIN:
                        continue;
                    case ENODEV:
                        return End.UNMOUNTED;
                    case ECONNABORTED:
                        return End.ABORTED;
                    default:
                        log.error("reading /dev/fuse failed; this worker stops", e);
                        return End.FAILED;
                }
            }
            if (length == 0) {
                // A socket's peer has gone (a test's fake kernel); /dev/fuse never reads 0 bytes.
                return End.UNMOUNTED;
            }
            handle(length);
        }
        return End.UNMOUNTED;
    }

    private void handle(int length) {
        Request request = new Request(InHeader.opcode(in), InHeader.unique(in), InHeader.nodeId(in),
                InHeader.uid(in), InHeader.gid(in), InHeader.pid(in));
        int body;
        int error = 0;
        try {
            body = operations.serve(request, length);
        } catch (FuseError e) {
            body = 0;
            error = e.errno();
        } catch (Throwable t) {
            body = 0;
            error = session.errors().errnoOf(request, t);
        }
        if (session.config().debug()) {
            log.info("op {} unique {} node {} -> {}", request.opcode(), request.unique(), request.nodeId(),
                    error != 0 ? "errno " + error : body + " bytes");
        }
        if (body == Operations.NO_REPLY || Opcode.takesNoReply(request.opcode())) {
            return;
        }
        reply(request, error == 0 ? body : 0, -error);
    }

    private void reply(Request request, int body, int error) {
        int total = OutHeader.SIZE + body;
        OutHeader.put(out, total, error, request.unique());
        try {
            FuseDevice.write(fd, outAddress, total);
        } catch (NativeError e) {
            // ENOENT: the kernel no longer waits for it (interrupted, or the connection ended).
            if (e.errno() == ENOENT) {
                log.debug("reply to op {} unique {} not taken: {}", request.opcode(), request.unique(), e.getMessage());
            } else {
                log.warn("reply to op {} unique {} failed: {}", request.opcode(), request.unique(), e.getMessage());
            }
        }
    }
}
