package org.gntfs.engine.session;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.gntfs.engine.abi.InHeader;
import org.gntfs.engine.abi.Opcode;
import org.gntfs.engine.abi.OutHeader;
import org.gntfs.nativeio.Posix;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One worker's request and reply buffers, and the answer to the request that was read into the
 * first: decode the header, serve the body, frame the reply. No system call happens here, so
 * this is the engine's whole per-request cost beside read(2) and write(2) (its JMH benchmark
 * measures it). {@link #answer} is the one place where a failure becomes an errno.
 */
final class Exchange {
    private static final Logger log = LoggerFactory.getLogger(Exchange.class);

    /** Room for the header and the largest fixed body before a WRITE's payload. */
    private static final int REQUEST_SLACK = 4096;
    private static final int ENOMEM = 12;

    /** What {@link #answer} returns for a request that takes no reply (FORGET, BATCH_FORGET). */
    static final int NO_REPLY = Operations.NO_REPLY;

    private final Session session;
    private final ByteBuffer in;
    private final long inAddress;
    private final ByteBuffer out;
    private final long outAddress;
    private final Operations operations;

    Exchange(Session session) {
        this.session = session;
        int payload = session.config().maxPayload();
        this.in = ByteBuffer.allocateDirect(payload + REQUEST_SLACK).order(ByteOrder.nativeOrder());
        this.out = ByteBuffer.allocateDirect(payload + REQUEST_SLACK).order(ByteOrder.nativeOrder());
        this.inAddress = Posix.MEMORY.getDirectBufferAddress(in);
        this.outAddress = Posix.MEMORY.getDirectBufferAddress(out);
        this.operations = new Operations(session, in, inAddress, out, outAddress);
    }

    /** Where a request is read to. */
    long requestAddress() {
        return inAddress;
    }

    int requestCapacity() {
        return in.capacity();
    }

    /** Where the reply that {@link #answer} framed starts. */
    long replyAddress() {
        return outAddress;
    }

    /** The request and its reply, for the one line a debug session logs per request. */
    Request request() {
        return new Request(InHeader.opcode(in), InHeader.unique(in), InHeader.nodeId(in),
                InHeader.uid(in), InHeader.gid(in), InHeader.pid(in));
    }

    /**
     * Serves the request of {@code length} bytes in the request buffer and frames its reply, out
     * header first, at {@link #replyAddress}; returns the reply's total length, or {@link #NO_REPLY}.
     * A full heap fails only this request, with ENOMEM, even where naming its errno or logging it
     * needs memory too: the worker goes on and the kernel gets its answer.
     */
    int answer(int length) {
        try {
            return serve(length);
        } catch (OutOfMemoryError e) {
            return Opcode.takesNoReply(InHeader.opcode(in)) ? NO_REPLY : frame(InHeader.unique(in), ENOMEM, 0);
        }
    }

    private int serve(int length) {
        Request request = request();
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
            return NO_REPLY;
        }
        return frame(request.unique(), error, body);
    }

    private int frame(long unique, int error, int body) {
        int total = OutHeader.SIZE + (error == 0 ? body : 0);
        OutHeader.put(out, total, -error, unique);
        return total;
    }
}
