package org.gntfs.grant;

import static com.google.common.base.Preconditions.checkPositionIndexes;
import static com.google.common.base.Preconditions.checkState;
import static org.gntfs.protocol.Pages.PAGE_SIZE;

import org.gntfs.Fault;
import org.gntfs.GntfsException;
import org.gntfs.nativeio.NativeError;
import org.gntfs.nativeio.Posix;

/**
 * A granted page that a peer has mapped into this process, however it mapped it: reads, writes,
 * and an unmap after which the peer's own bookkeeping ({@code onUnmap}) runs, whatever happens.
 */
public final class MappedPeerPage implements GrantPeer.PeerPage {
    private final long address;
    private final boolean writable;
    private final Runnable onUnmap;
    private boolean closed;

    public MappedPeerPage(long address, boolean writable, Runnable onUnmap) {
        this.address = address;
        this.writable = writable;
        this.onUnmap = onUnmap;
    }

    @Override
    public long address() {
        return address;
    }

    @Override
    public synchronized byte[] read(int offset, int length) {
        checkPositionIndexes(offset, offset + length, PAGE_SIZE);
        checkState(!closed, "the page is unmapped");
        byte[] data = new byte[length];
        Posix.MEMORY.getByteArray(address + offset, data, 0, length);
        return data;
    }

    @Override
    public synchronized void write(int offset, byte[] data) {
        checkPositionIndexes(offset, offset + data.length, PAGE_SIZE);
        // A store to a read-only or unmapped page would kill the JVM with SIGSEGV.
        checkState(writable && !closed, "the page is not mapped for writing");
        Posix.MEMORY.putByteArray(address + offset, data, 0, data.length);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Posix.munmap(address, PAGE_SIZE);
        } catch (NativeError e) {
            throw GntfsException.causedBy(Fault.IO_ERROR, e, "%s", e.getMessage());
        } finally {
            onUnmap.run();
        }
    }
}
