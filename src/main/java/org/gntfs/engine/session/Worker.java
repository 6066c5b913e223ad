package org.gntfs.engine.session;

import org.gntfs.nativeio.FuseDevice;
import org.gntfs.nativeio.NativeError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread's loop: read a request from its descriptor into its own {@link Exchange}, answer it
 * inline, write the reply with one write(2), again, until the connection ends. A reply is always
 * written to the descriptor its request came from, as cloned descriptors require.
 */
final class Worker {
    private static final Logger log = LoggerFactory.getLogger(Worker.class);

    private static final int EINTR = 4;
    private static final int ENOENT = 2;
    private static final int EAGAIN = 11;
    private static final int ENODEV = 19;
    private static final int ECONNABORTED = 103;

    /** How a worker's loop ended. */
    enum End { UNMOUNTED, ABORTED, FAILED }

    private final Session session;
    private final int fd;
    private final Exchange exchange;

    Worker(Session session, int fd) {
        this.session = session;
        this.fd = fd;
        this.exchange = new Exchange(session);
    }

    int fd() {
        return fd;
    }

    /** Serves requests until the connection ends, or, with {@code untilEstablished}, until INIT is done. */
    End serve(boolean untilEstablished) {
        while (!(untilEstablished && session.isEstablished())) {
            int length;
            try {
                length = FuseDevice.read(fd, exchange.requestAddress(), exchange.requestCapacity());
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
        int total = exchange.answer(length);
        if (total == Exchange.NO_REPLY) {
            return;
        }
        try {
            FuseDevice.write(fd, exchange.replyAddress(), total);
        } catch (NativeError e) {
            Request request = exchange.request();
            // ENOENT: the kernel no longer waits for it (interrupted, or the connection ended).
            if (e.errno() == ENOENT) {
                log.debug("reply to op {} unique {} not taken: {}", request.opcode(), request.unique(), e.getMessage());
            } else {
                log.warn("reply to op {} unique {} failed: {}", request.opcode(), request.unique(), e.getMessage());
            }
        }
    }
}
