package org.gntfs.grant.sim;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import org.gntfs.nativeio.MappedFile;
import org.gntfs.nativeio.NativeError;
import org.gntfs.nativeio.Posix;

/**
 * The mapped table file of a simulated grant table, with the accesses both the daemon and peers
 * make to it. Flags are read and written with volatile semantics: with the lock bytes, they are
 * the handshake between a granting daemon and a mapping peer in another process.
 *
 * <p>A peer's mapping of a ref is an open of the table file holding a shared lock on the ref's
 * lock byte ({@link #holdRef}); the daemon asks the kernel whether any such lock is left ({@link
 * #isHeld}) through a descriptor of its own, which holds no lock, unless the holders count says
 * that no peer holds or takes any: a release of many pages then costs no system call per page.
 */
final class GrantTableMemory implements AutoCloseable {
    private static final VarHandle SHORTS = MethodHandles.byteBufferViewVarHandle(short[].class, ByteOrder.nativeOrder());
    private static final VarHandle INTS = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());

    private final TableLayout layout;
    private final MappedFile table;
    private final ByteBuffer tableView;
    /** An open of the table that never locks: the daemon's window onto the peers' locks. */
    private final int lockQueries;

    GrantTableMemory(TableLayout layout, MappedFile table) throws IOException {
        this.layout = layout;
        this.table = table;
        this.tableView = table.buffer(Math.toIntExact(layout.tableBytes()));
        this.lockQueries = Posix.open(table.path(), Posix.O_RDONLY | Posix.O_NOFOLLOW, 0);
    }

    /** Maps the table whose table file is {@code tablePath}, as a peer does. */
    static GrantTableMemory open(Path tablePath) throws IOException {
        MappedFile table = MappedFile.map(tablePath);
        try {
            return new GrantTableMemory(TableLayout.ofTableSize(table.length()), table);
        } catch (IOException | RuntimeException e) {
            table.close();
            throw e;
        }
    }

    TableLayout layout() {
        return layout;
    }

    Path tablePath() {
        return table.path();
    }

    short flags(int ref) {
        return (short) SHORTS.getVolatile(tableView, (int) (layout.entryOffset(ref) + TableLayout.FLAGS_OFFSET));
    }

    int domid(int ref) {
        return Short.toUnsignedInt(tableView.getShort((int) (layout.entryOffset(ref) + TableLayout.DOMID_OFFSET)));
    }

    /** The granted frame: its page number in its space. */
    long frame(int ref) {
        return Integer.toUnsignedLong(tableView.getInt((int) (layout.entryOffset(ref) + TableLayout.FRAME_OFFSET)));
    }

    long space(int ref) {
        return Integer.toUnsignedLong(tableView.getInt((int) layout.spaceOffset(ref)));
    }

    int descriptor(int ref) {
        return tableView.getInt((int) layout.descriptorOffset(ref));
    }

    /** Fills an entry as a guest does: domid and frame first, the flags that publish it last. */
    void grant(int ref, int domid, long space, int descriptor, long frame, short flags) {
        int entry = (int) layout.entryOffset(ref);
        tableView.putShort(entry + TableLayout.DOMID_OFFSET, (short) domid);
        tableView.putInt(entry + TableLayout.FRAME_OFFSET, (int) frame);
        tableView.putInt((int) layout.spaceOffset(ref), (int) space);
        tableView.putInt((int) layout.descriptorOffset(ref), descriptor);
        SHORTS.setVolatile(tableView, entry + TableLayout.FLAGS_OFFSET, flags);
    }

    void endAccess(int ref) {
        SHORTS.setVolatile(tableView, (int) (layout.entryOffset(ref) + TableLayout.FLAGS_OFFSET), (short) 0);
    }

    /**
     * Records a peer's mapping of {@code ref} before the peer checks the entry: a new open of the
     * table with a shared lock on the ref's lock byte. {@link #releaseRef} ends the record; so
     * does the peer's death, however it dies.
     *
     * @return the descriptor that holds the lock
     */
    int holdRef(int ref) throws NativeError {
        addHolders(1);
        try {
            int hold = Posix.open(table.path(), Posix.O_RDONLY | Posix.O_NOFOLLOW, 0);
            try {
                Posix.lockByteShared(hold, layout.lockOffset(ref));
            } catch (NativeError e) {
                Posix.closeQuietly(hold);
                throw e;
            }
            // The lock before the entry's flags are read, as the daemon's end of access before its query.
            VarHandle.fullFence();
            return hold;
        } catch (NativeError | RuntimeException e) {
            addHolders(-1);
            throw e;
        }
    }

    /** Ends a record of {@link #holdRef}, once the frame is unmapped. */
    void releaseRef(int hold) {
        Posix.closeQuietly(hold);
        addHolders(-1);
    }

    /** Whether some peer still holds {@code ref}: called after {@link #endAccess}, as the hypervisor reads its map count. */
    boolean isHeld(int ref) throws NativeError {
        VarHandle.fullFence();
        if ((int) INTS.getVolatile(tableView, (int) layout.holdersOffset()) == 0) {
            return false;
        }
        return Posix.isByteLocked(lockQueries, layout.lockOffset(ref));
    }

    private void addHolders(int delta) {
        INTS.getAndAdd(tableView, (int) layout.holdersOffset(), delta);
    }

    int eventCount(int port) {
        return (int) INTS.getVolatile(tableView, (int) layout.eventCounterOffset(port));
    }

    void signal(int port) {
        INTS.getAndAdd(tableView, (int) layout.eventCounterOffset(port), 1);
    }

    @Override
    public void close() throws IOException {
        Posix.closeQuietly(lockQueries);
        table.close();
    }
}
