package org.gntfs.grant.sim;

import static com.google.common.base.Preconditions.checkArgument;

import java.nio.file.Path;
import org.gntfs.protocol.Pages;

/**
 * The byte layout of the simulated grant table, shared by the daemon and the peer tool. It is the
 * in-memory form of Xen's v1 grant table plus what the hypervisor keeps privately:
 *
 * <pre>
 * table file:   entry[refs]           8 bytes each: u16 flags, u16 domid, u32 frame
 *               event counter[4096]   u32 each: how often the port was signalled
 *               holders               u32: lock bytes peers hold or are taking; never below the truth
 *               space[refs]           u32 each: the space that holds the ref's frame
 *               descriptor[refs]      u32 each: that space's descriptor in the daemon
 *               lock byte[refs]       past the end of the data, never written: a peer's mapping of
 *                                     ref r holds a shared open-file-description lock on byte r
 * spaces:       one memfd per allocation (one growth of a region); its frame f is at byte f * 4096
 * </pre>
 *
 * The lock bytes are what the hypervisor's map count is in Xen: the kernel drops a peer's locks
 * when it closes the descriptor that holds them, at unmap or at its death however it dies, so a
 * mapping can never outlive its record. The holders count only spares the daemon the question
 * while no peer maps anything: a peer raises it before it locks and lowers it after it unlocks, so
 * a dead peer leaves it too high, which costs the question and nothing else.
 *
 * A "space" here is one such memfd of the daemon, which a peer opens as {@code /proc/PID/fd/DESCRIPTOR} (the
 * daemon's pid is in the table's name). Its name, which {@code /proc} shows, is the table's with
 * the space id: {@code gntfs-1234-567.table} has {@code gntfs-1234-567.space-1}, {@code .space-2},
 * and so on; ids are never reused, so the name tells a reused descriptor number from the space
 * the entry meant. Refs 0-7 are reserved, as in Xen, so a table of {@code limit} grants has
 * {@code limit + 8} entries. All numbers are in the machine's byte order.
 */
public final class TableLayout {
    public static final int ENTRY_SIZE = 8;
    public static final int RESERVED_REFS = 8;
    /** Ports a 2-level event channel ABI offers a 64-bit guest. */
    public static final int EVENT_PORTS = 4096;

    /** Xen's {@code GTF_permit_access}: the entry grants its frame to its domid. */
    public static final short GTF_PERMIT_ACCESS = 1;
    /** Xen's {@code GTF_readonly}: the grantee may only read. */
    public static final short GTF_READONLY = 1 << 2;

    static final int FLAGS_OFFSET = 0;
    static final int DOMID_OFFSET = 2;
    static final int FRAME_OFFSET = 4;

    public static final String TABLE_SUFFIX = ".table";
    private static final String SPACE_SUFFIX = ".space-";
    /** Frames are numbered by a u32, so a space holds at most this many pages over its life. */
    static final long MAX_SPACE_PAGES = 1L << 32;

    private final int limit;

    public TableLayout(int limit) {
        checkArgument(limit > 0, "the grant limit must be positive, not %s", limit);
        this.limit = limit;
    }

    /** The layout of an existing table, recovered from the size of its table file. */
    static TableLayout ofTableSize(long tableBytes) {
        long perRef = ENTRY_SIZE + 2L * Integer.BYTES;
        long refBytes = tableBytes - (long) EVENT_PORTS * Integer.BYTES - Integer.BYTES;
        checkArgument(
                refBytes > perRef * RESERVED_REFS && refBytes % perRef == 0,
                "a table file of %s bytes is not a grant table",
                tableBytes);
        return new TableLayout(Math.toIntExact(refBytes / perRef - RESERVED_REFS));
    }

    /** The name of space {@code id} of a table, as its memfd is called. */
    static String spaceName(Path tableFile, long id) {
        String name = tableFile.getFileName().toString();
        checkArgument(name.endsWith(TABLE_SUFFIX), "%s is not a grant table file", tableFile);
        return name.substring(0, name.length() - TABLE_SUFFIX.length()) + SPACE_SUFFIX + id;
    }

    /** The pid of the daemon that made a table, from its name {@code gntfs-PID-N.table}. */
    static long daemonPidOf(Path tableFile) {
        String name = tableFile.getFileName().toString();
        int start = name.indexOf('-') + 1;
        checkArgument(start > 0 && name.indexOf('-', start) > start, "%s is not a grant table file", tableFile);
        return Long.parseLong(name.substring(start, name.indexOf('-', start)));
    }

    public int limit() {
        return limit;
    }

    public int refCount() {
        return limit + RESERVED_REFS;
    }

    public boolean isGrantable(int ref) {
        return ref >= RESERVED_REFS && ref < refCount();
    }

    long entryOffset(int ref) {
        return (long) ref * ENTRY_SIZE;
    }

    long eventCounterOffset(int port) {
        checkArgument(port >= 0 && port < EVENT_PORTS, "event port %s is not below %s", port, EVENT_PORTS);
        return (long) refCount() * ENTRY_SIZE + (long) port * Integer.BYTES;
    }

    long holdersOffset() {
        return (long) refCount() * ENTRY_SIZE + (long) EVENT_PORTS * Integer.BYTES;
    }

    long spaceOffset(int ref) {
        return holdersOffset() + Integer.BYTES + (long) ref * Integer.BYTES;
    }

    long descriptorOffset(int ref) {
        return spaceOffset(refCount()) + (long) ref * Integer.BYTES;
    }

    long tableBytes() {
        return descriptorOffset(refCount());
    }

    /** The byte whose locks are the peers' mappings of {@code ref}: past the data, which no lock touches. */
    long lockOffset(int ref) {
        return tableBytes() + ref;
    }

    static long frameOffset(long frame) {
        return frame * Pages.PAGE_SIZE;
    }
}
