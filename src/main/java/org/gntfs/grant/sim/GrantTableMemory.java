package org.gntfs.grant.sim;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import org.gntfs.nativeio.MappedFile;

/**
 * The mapped table file of a simulated grant table, with the accesses both the daemon and peers
 * make to it. Flags and map counts are read and written with volatile semantics: they are the
 * handshake between a granting daemon and a mapping peer in another process.
 */
final class GrantTableMemory implements AutoCloseable {
    private static final VarHandle SHORTS = MethodHandles.byteBufferViewVarHandle(short[].class, ByteOrder.nativeOrder());
    private static final VarHandle INTS = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());

    private final TableLayout layout;
    private final MappedFile table;
    private final ByteBuffer tableView;

    GrantTableMemory(TableLayout layout, MappedFile table) {
        this.layout = layout;
        this.table = table;
        this.tableView = table.buffer(Math.toIntExact(layout.tableBytes()));
    }

    /** Maps the table whose table file is {@code tablePath}, as a peer does. */
    static GrantTableMemory open(Path tablePath) throws IOException {
        MappedFile table = MappedFile.map(tablePath);
        try {
            return new GrantTableMemory(TableLayout.ofTableSize(table.length()), table);
        } catch (RuntimeException e) {
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

    int mapCount(int ref) {
        return (int) INTS.getVolatile(tableView, (int) layout.mapCountOffset(ref));
    }

    void addMapCount(int ref, int delta) {
        INTS.getAndAdd(tableView, (int) layout.mapCountOffset(ref), delta);
    }

    int eventCount(int port) {
        return (int) INTS.getVolatile(tableView, (int) layout.eventCounterOffset(port));
    }

    void signal(int port) {
        INTS.getAndAdd(tableView, (int) layout.eventCounterOffset(port), 1);
    }

    @Override
    public void close() throws IOException {
        table.close();
    }
}
