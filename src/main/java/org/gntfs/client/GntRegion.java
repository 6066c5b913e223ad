package org.gntfs.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.gntfs.protocol.Pages.PAGE_SIZE;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import org.gntfs.nativeio.NativeError;
import org.gntfs.nativeio.Posix;
import org.gntfs.nativeio.UnixSocket;
import org.gntfs.protocol.DirectProtocol;
import org.gntfs.protocol.Pages;
import org.gntfs.protocol.Segment;

/**
 * A region of a gntfs mount with its granted pages mapped straight into this process: stores are
 * seen by the peer at once and the peer's stores here at once, with no page cache between. The
 * region is held, and cannot shrink below what is mapped, until {@link #close()}; an unlink
 * meanwhile removes the name only.
 *
 * <pre>{@code
 * try (GntRegion ring = GntRegion.open(Path.of("/run/gnt/ring"))) {
 *     ByteBuffer bytes = ring.buffer();
 *     int gref = ring.grefs().get(0);
 * }
 * }</pre>
 */
public final class GntRegion implements AutoCloseable {
    /** What the process will do with the pages. */
    public enum Access {
        READ,
        READ_WRITE
    }

    private final UnixSocket connection;
    private final DirectProtocol.Answer answer;
    private final long address;
    private final long mappedLength;
    private boolean closed;

    private GntRegion(UnixSocket connection, DirectProtocol.Answer answer, long address, long mappedLength) {
        this.connection = connection;
        this.answer = answer;
        this.address = address;
        this.mappedLength = mappedLength;
    }

    /** Maps the region at {@code path}, read-write. */
    public static GntRegion open(Path path) throws IOException {
        return open(path, Access.READ_WRITE);
    }

    /**
     * Maps the region at {@code path}, which must be on a gntfs mount that offers direct mapping.
     *
     * @throws DirectMapException when the daemon refuses, with the errno an open would give
     *     (EACCES, ENOENT, EISDIR; EINVAL for a region of size 0)
     * @throws IOException when the path is not on such a mount, or the daemon cannot be reached
     */
    public static GntRegion open(Path path, Access access) throws IOException {
        Path region = path.toAbsolutePath().normalize();
        Path directory = region.getParent() == null ? region : region.getParent().toRealPath();
        Path real = region.getParent() == null ? region : directory.resolve(region.getFileName());
        Path root;
        try {
            root = MountFacts.mountRootOf(directory);
        } catch (IOException e) {
            throw new IOException(region + " is not on a gntfs mount", e);
        }
        String socket;
        try {
            socket = MountFacts.read(root, "socket");
        } catch (IOException e) {
            throw new IOException(region + " is on a gntfs mount that offers no direct mapping", e);
        }
        UnixSocket connection = UnixSocket.connect(Path.of(socket));
        try {
            var request = new DirectProtocol.Request("/" + root.relativize(real), access == Access.READ_WRITE);
            connection.send(DirectProtocol.request(request), -1);
            return receive(connection, access);
        } catch (IOException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    private static GntRegion receive(UnixSocket connection, Access access) throws IOException {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        int descriptor = -1;
        try {
            while (!DirectProtocol.isComplete(text.toString(UTF_8))) {
                UnixSocket.Received received = connection.receiveWithDescriptor(64 * 1024);
                if (received.descriptor() >= 0) {
                    if (descriptor >= 0) {
                        Posix.close(descriptor);
                    }
                    descriptor = received.descriptor();
                }
                if (received.data().length == 0) {
                    throw new IOException("the gntfs daemon closed the connection before it answered");
                }
                text.write(received.data());
            }
            DirectProtocol.Reply reply = DirectProtocol.parseReply(text.toString(UTF_8));
            if (reply instanceof DirectProtocol.Refusal refusal) {
                throw new DirectMapException(refusal.errno(), refusal.message());
            }
            DirectProtocol.Answer answer = (DirectProtocol.Answer) reply;
            if (descriptor < 0) {
                throw new IOException("the daemon's answer carried no descriptor");
            }
            long length = Pages.pagesFor(answer.size()) * PAGE_SIZE;
            return new GntRegion(connection, answer, map(answer, descriptor, length, access), length);
        } finally {
            if (descriptor >= 0) {
                Posix.close(descriptor);
            }
        }
    }

    /** Reserves {@code length} bytes for the region's whole pages and places each segment of the descriptor there. */
    private static long map(DirectProtocol.Answer answer, int descriptor, long length, Access access) throws NativeError {
        long address = Posix.reserve(length);
        try {
            int protection = access == Access.READ_WRITE ? Posix.PROT_READ | Posix.PROT_WRITE : Posix.PROT_READ;
            for (Segment segment : answer.segments()) {
                Posix.mmapFixed(address + segment.regionOffset(), descriptor, segment.descriptorOffset(),
                        segment.length(), protection);
            }
        } catch (NativeError e) {
            Posix.munmap(address, length);
            throw e;
        }
        return address;
    }

    /** Where the region's first byte is mapped; valid until {@link #close()}. */
    public long address() {
        return address;
    }

    /** The region's size when it was mapped. */
    public long size() {
        return answer.size();
    }

    /** A buffer over the region's bytes (at most 2 GiB of them), in native order; unusable after close. */
    public synchronized ByteBuffer buffer() {
        if (closed) {
            throw new IllegalStateException("closed");
        }
        ByteBuffer bytes = Posix.MEMORY.newDirectByteBuffer(address, (int) Math.min(size(), Integer.MAX_VALUE));
        return bytes.order(ByteOrder.nativeOrder());
    }

    /** The grant references of the region's pages, in order: what the peer maps. Immutable. */
    public List<Integer> grefs() {
        return answer.grefs();
    }

    /** The domain the pages are granted to. */
    public int domid() {
        return answer.domid();
    }

    public boolean writable() {
        return answer.write();
    }

    /** Unmaps the pages and lets the region go. */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Posix.munmap(address, mappedLength);
        } finally {
            connection.close();
        }
    }

    @Override
    public String toString() {
        return "GntRegion{size=" + size() + ", domid=" + domid() + ", grefs=" + grefs() + "}";
    }
}
