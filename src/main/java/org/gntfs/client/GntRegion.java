package org.gntfs.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.gntfs.protocol.Pages.PAGE_SIZE;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.gntfs.nativeio.NativeError;
import org.gntfs.nativeio.Posix;
import org.gntfs.nativeio.UnixSocket;
import org.gntfs.protocol.DirectProtocol;
import org.gntfs.protocol.Pages;
import org.gntfs.protocol.Segment;

/**
 * A region of a gntfs mount with its granted pages mapped straight into this process: stores are
 * seen by the peer at once and the peer's stores here at once, with no page cache between. Mapped
 * read-write, the region is held, and cannot shrink below what is mapped, until {@link #close()};
 * an unlink meanwhile removes the name only. Mapped read-only, it holds nothing: pages the owner
 * releases meanwhile read as zeros here.
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

    private static final Path GNTALLOC = Path.of("/dev/xen/gntalloc");

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
     * The region is opened here, as any file is ({@code O_RDONLY} for {@link Access#READ},
     * {@code O_RDWR} otherwise; a final symlink is followed), and that descriptor is what asks the
     * daemon: the kernel's decision on this open is the only permission check. On a Xen mount
     * the request also carries this process's own open of {@code /dev/xen/gntalloc}, whose
     * powers the daemon's descriptor carries.
     *
     * @throws NativeError when the open fails, with its errno (EACCES, ENOENT, ...), as for any open
     * @throws DirectMapException when the daemon refuses, with its errno (EINVAL for a region of
     *     size 0; EACCES on Xen without a read-write open of the region and of gntalloc)
     * @throws IOException when the path is not on such a mount, or the daemon cannot be reached
     */
    public static GntRegion open(Path path, Access access) throws IOException {
        int region = Posix.open(path, access == Access.READ_WRITE ? Posix.O_RDWR : Posix.O_RDONLY, 0);
        int gntalloc = -1;
        try {
            Path root;
            try {
                Path real = path.toRealPath();
                root = MountFacts.mountRootOf(real.getParent() == null ? real : real.getParent());
            } catch (IOException e) {
                throw new IOException(path + " is not on a gntfs mount", e);
            }
            String socket;
            try {
                socket = MountFacts.read(root, "socket");
            } catch (IOException e) {
                throw new IOException(path + " is on a gntfs mount that offers no direct mapping", e);
            }
            if (MountFacts.read(root, "backend").equals("xen")) {
                gntalloc = Posix.open(GNTALLOC, Posix.O_RDWR, 0);
            }
            UnixSocket connection = UnixSocket.connect(Path.of(socket));
            try {
                connection.send(DirectProtocol.request(), gntalloc < 0 ? new int[] {region} : new int[] {region, gntalloc});
                return receive(connection, access);
            } catch (IOException | RuntimeException e) {
                connection.close();
                throw e;
            }
        } finally {
            Posix.closeQuietly(region);
            if (gntalloc >= 0) {
                Posix.closeQuietly(gntalloc);
            }
        }
    }

    private static GntRegion receive(UnixSocket connection, Access access) throws IOException {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        List<Integer> descriptors = new ArrayList<>();
        try {
            while (!DirectProtocol.isComplete(text.toString(UTF_8))) {
                UnixSocket.Received received = connection.receiveWithDescriptors(64 * 1024, UnixSocket.MAX_DESCRIPTORS);
                Arrays.stream(received.descriptors()).forEach(descriptors::add);
                if (received.truncated()) {
                    throw new IOException("the daemon sent more descriptors in one message than the protocol allows");
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
            if (descriptors.size() != answer.descriptors()) {
                throw new IOException("the daemon's answer carried " + descriptors.size() + " descriptors, not "
                        + answer.descriptors());
            }
            long length = Pages.pagesFor(answer.size()) * PAGE_SIZE;
            return new GntRegion(connection, answer, map(answer, descriptors, length, access), length);
        } finally {
            descriptors.forEach(Posix::closeQuietly);
        }
    }

    /** Reserves {@code length} bytes for the region's whole pages and places each segment of the descriptor there. */
    private static long map(DirectProtocol.Answer answer, List<Integer> descriptors, long length, Access access)
            throws IOException {
        long address = Posix.reserve(length);
        try {
            int protection = access == Access.READ_WRITE ? Posix.PROT_READ | Posix.PROT_WRITE : Posix.PROT_READ;
            for (Segment segment : answer.segments()) {
                if (segment.descriptor() < 0 || segment.descriptor() >= descriptors.size()) {
                    throw new IOException("the daemon's answer names descriptor " + segment.descriptor() + " of "
                            + descriptors.size());
                }
                Posix.mmapFixed(address + segment.regionOffset(), descriptors.get(segment.descriptor()),
                        segment.descriptorOffset(), segment.length(), protection);
            }
        } catch (IOException e) {
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
