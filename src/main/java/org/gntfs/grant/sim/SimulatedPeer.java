package org.gntfs.grant.sim;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import jnr.constants.platform.Errno;
import org.gntfs.Errnos;
import org.gntfs.Fault;
import org.gntfs.GntfsException;
import org.gntfs.grant.GrantPeer;
import org.gntfs.grant.MappedPeerPage;
import org.gntfs.nativeio.NativeError;
import org.gntfs.nativeio.Posix;
import org.gntfs.protocol.Pages;

/**
 * A foreign domain on a simulated grant table: maps the table and checks each entry as Xen checks
 * a grant map, then maps the granted frame from its space. A mapping holds a lock on the ref's
 * lock byte from before it checks the entry until after it unmaps, and the daemon ends access
 * before it asks for the locks, so a page is never freed under a live mapping. The lock is the
 * kernel's, on a descriptor of this process: it goes with the process, however the process ends.
 */
public final class SimulatedPeer implements GrantPeer {
    private final GrantTableMemory memory;
    private final long daemonPid;

    private SimulatedPeer(GrantTableMemory memory) {
        this.memory = memory;
        this.daemonPid = TableLayout.daemonPidOf(memory.tablePath());
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
        int hold;
        try {
            hold = memory.holdRef(gref);
        } catch (NativeError e) {
            throw GntfsException.causedBy(e, "gref %d cannot be held: %s", gref, e.getMessage());
        }
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
            return new MappedPeerPage(mapFrame(gref, memory.frame(gref), write), write, () -> memory.releaseRef(hold));
        } catch (RuntimeException e) {
            memory.releaseRef(hold);
            throw e;
        }
    }

    /**
     * Maps the frame from its space, the daemon's memfd, opened through {@code /proc}. A region
     * released between the entry check and this open took its space with it, and its descriptor
     * number may already name another file: the opened file's name, which carries the space id
     * that ids are never reused for, tells which it is.
     */
    private long mapFrame(int gref, long frame, boolean write) {
        String expected = "/memfd:" + TableLayout.spaceName(memory.tablePath(), memory.space(gref)) + " (deleted)";
        Path daemonDescriptor = Path.of("/proc", Long.toString(daemonPid), "fd", Integer.toString(memory.descriptor(gref)));
        int fd;
        try {
            fd = Posix.open(daemonDescriptor, write ? Posix.O_RDWR : Posix.O_RDONLY, 0);
        } catch (NativeError e) {
            // The daemon's descriptor of the space is gone: its region, and so this grant, went with it.
            Fault fault = e.is(Errno.ENOENT) ? Fault.NOT_FOUND : Errnos.faultOf(e);
            throw GntfsException.causedBy(fault, e, "gref %d is not granted: %s", gref, e.getMessage());
        }
        try {
            if (!Files.readSymbolicLink(Path.of("/proc/self/fd", Integer.toString(fd))).toString().equals(expected)) {
                throw GntfsException.of(Fault.NOT_FOUND, "gref %d is not granted", gref);
            }
            return Posix.mmapShared(fd, TableLayout.frameOffset(frame), Pages.PAGE_SIZE,
                    write ? Posix.PROT_READ | Posix.PROT_WRITE : Posix.PROT_READ);
        } catch (IOException e) {
            throw GntfsException.causedBy(Fault.IO_ERROR, e, "frame %d of gref %d: %s", frame, gref, e.getMessage());
        } finally {
            Posix.closeQuietly(fd);
        }
    }


    /** How often {@code port} has been signalled by an unmap notification. */
    public int eventCount(int port) {
        return memory.eventCount(port);
    }

    @Override
    public Optional<EventCounts> eventCounts() {
        return Optional.of(new EventCounts() {
            @Override
            public int ports() {
                return TableLayout.EVENT_PORTS;
            }

            @Override
            public int count(int port) {
                return eventCount(port);
            }
        });
    }

    @Override
    public void close() {
        try {
            memory.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
