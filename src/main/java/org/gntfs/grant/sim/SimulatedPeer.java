package org.gntfs.grant.sim;

import static com.google.common.base.Preconditions.checkPositionIndexes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.gntfs.Fault;
import org.gntfs.GntfsException;
import org.gntfs.grant.GrantAllocation;
import org.gntfs.grant.GrantPeer;
import org.gntfs.nativeio.Posix;

/**
 * A foreign domain on a simulated grant table: maps the table's files and checks each entry as
 * Xen checks a grant map. A mapping raises the ref's map count before it checks the entry, and the
 * daemon ends access before it reads the count, so a page is never freed under a live mapping.
 */
public final class SimulatedPeer implements GrantPeer {
    private final GrantTableMemory memory;

    private SimulatedPeer(GrantTableMemory memory) {
        this.memory = memory;
    }

    /** Attaches to the table whose table file is {@code tablePath}. */
    public static SimulatedPeer attach(Path tablePath) throws IOException {
        return new SimulatedPeer(GrantTableMemory.open(tablePath));
    }

    @Override
    public PeerPage map(int domid, int gref, boolean write) {
        TableLayout layout = memory.layout();
        if (!layout.isGrantable(gref)) {
            throw GntfsException.of(Fault.NOT_FOUND, "gref %d is not granted: the table has refs %d to %d",
                    gref, TableLayout.RESERVED_REFS, layout.refCount() - 1);
        }
        memory.addMapCount(gref, 1);
        try {
            short flags = memory.flags(gref);
            if ((flags & TableLayout.GTF_PERMIT_ACCESS) == 0) {
                throw GntfsException.of(Fault.NOT_FOUND, "gref %d is not granted", gref);
            }
            if (memory.domid(gref) != domid) {
                throw GntfsException.of(Fault.ACCESS_DENIED, "gref %d is granted to domain %d, not to domain %d",
                        gref, memory.domid(gref), domid);
            }
            if (write && (flags & TableLayout.GTF_READONLY) != 0) {
                throw GntfsException.of(Fault.ACCESS_DENIED, "gref %d is a read-only grant", gref);
            }
            return new Page(gref, memory.frameAddress(memory.frame(gref)));
        } catch (RuntimeException e) {
            memory.addMapCount(gref, -1);
            throw e;
        }
    }

    /** How often {@code port} has been signalled by an unmap notification. */
    public int eventCount(int port) {
        return memory.eventCount(port);
    }

    @Override
    public void close() {
        try {
            memory.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private final class Page implements PeerPage {
        private final int gref;
        private final long address;
        private boolean closed;

        Page(int gref, long address) {
            this.gref = gref;
            this.address = address;
        }

        @Override
        public byte[] read(int offset, int length) {
            checkPositionIndexes(offset, offset + length, GrantAllocation.PAGE_SIZE);
            byte[] data = new byte[length];
            Posix.MEMORY.getByteArray(address + offset, data, 0, length);
            return data;
        }

        @Override
        public void write(int offset, byte[] data) {
            checkPositionIndexes(offset, offset + data.length, GrantAllocation.PAGE_SIZE);
            Posix.MEMORY.putByteArray(address + offset, data, 0, data.length);
        }

        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                memory.addMapCount(gref, -1);
            }
        }
    }
}
