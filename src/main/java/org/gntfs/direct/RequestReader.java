package org.gntfs.direct;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import jnr.constants.platform.Errno;
import org.gntfs.Fault;
import org.gntfs.GntfsException;
import org.gntfs.nativeio.NativeError;
import org.gntfs.nativeio.UnixSocket;
import org.gntfs.protocol.DirectProtocol;
import org.gntfs.protocol.WireFormatException;

/**
 * Reads one request, its line and the descriptors that come with it, received close-on-exec into
 * room for {@link #MAX_DESCRIPTORS}. No descriptor a client sends is kept unless the request is
 * whole and valid: on every other way out they are closed, and more than the room refuses the
 * request (the kernel closed those that did not fit).
 */
final class RequestReader {
    /** The region's descriptor, and on Xen the client's own gntalloc: room for two, no more. */
    static final int MAX_DESCRIPTORS = 2;

    private RequestReader() {}

    /**
     * The descriptors that came with a whole, valid request line, for the caller to close; or
     * null if the client went away first, or sent no whole request in {@code timeout} or in
     * {@link DirectProtocol#MAX_REQUEST} bytes (it is told why).
     *
     * @throws GntfsException EINVAL for a line that is not this version's request, EBADF for too
     *     many descriptors
     */
    static int[] read(UnixSocket connection, Duration timeout) throws IOException {
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        int[] descriptors = new int[0];
        boolean truncated = false;
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                UnixSocket.Received received;
                try {
                    // The deadline is for the whole line: a byte now and then does not keep a thread.
                    connection.setReceiveTimeout(Duration.ofNanos(Math.max(1000, deadline - System.nanoTime())));
                    received = connection.receiveWithDescriptors(DirectProtocol.MAX_REQUEST, MAX_DESCRIPTORS);
                } catch (NativeError e) {
                    if (e.is(Errno.EAGAIN)) {
                        DirectMapServer.refuse(connection, GntfsException.of(Fault.TIMED_OUT, "no request within %s", timeout));
                        return null;
                    }
                    throw e;
                }
                descriptors = concat(descriptors, received.descriptors());
                truncated |= received.truncated() || descriptors.length > MAX_DESCRIPTORS;
                if (received.data().length == 0) {
                    return null;
                }
                request.write(received.data());
                String line = lineOf(request.toByteArray());
                if (line != null) {
                    connection.setReceiveTimeout(Duration.ZERO);
                    check(line, truncated);
                    int[] whole = descriptors;
                    descriptors = new int[0];
                    return whole;
                }
                if (request.size() > DirectProtocol.MAX_REQUEST) {
                    DirectMapServer.refuse(connection, GntfsException.of(Fault.INVALID_ARGUMENT,
                            "the request is longer than %d bytes", DirectProtocol.MAX_REQUEST));
                    return null;
                }
            }
        } finally {
            DirectMapServer.closeAll(descriptors);
        }
    }

    private static String lineOf(byte[] bytes) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                return new String(bytes, 0, i, UTF_8);
            }
        }
        return null;
    }

    /** A line that is not this version's request is refused with EINVAL, as a bad argument to open would be. */
    private static void check(String line, boolean tooManyDescriptors) {
        try {
            DirectProtocol.parseRequest(line);
        } catch (WireFormatException e) {
            throw GntfsException.of(Fault.INVALID_ARGUMENT, "%s", e.getMessage());
        }
        if (tooManyDescriptors) {
            throw GntfsException.of(Fault.BAD_HANDLE, "the request carried more than %d descriptors", MAX_DESCRIPTORS);
        }
    }

    private static int[] concat(int[] first, int[] second) {
        int[] both = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        return both;
    }
}
