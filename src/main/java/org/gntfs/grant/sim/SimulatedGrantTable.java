package org.gntfs.grant.sim;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import com.google.common.annotations.VisibleForTesting;
import com.google.common.collect.ImmutableMap;
import com.google.common.primitives.ImmutableIntArray;
import com.google.common.primitives.ImmutableLongArray;
import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.gntfs.Fault;
import org.gntfs.GntfsException;
import org.gntfs.grant.GrantAllocation;
import org.gntfs.grant.GrantBackend;
import org.gntfs.grant.PoolUsage;
import org.gntfs.grant.UnmapNotify;
import org.gntfs.nativeio.MappedFile;
import org.gntfs.nativeio.Posix;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded grant backend: a v1 grant table and its frames, each in a shared-memory file that
 * only the daemon's user can open, so that {@link SimulatedPeer} in another process can act as the
 * foreign domain. Ref {@code r} always grants frame {@code r - 8}; see {@link TableLayout}.
 *
 * <p>Like Xen after XSA-396, a page released while a peer still maps it stays allocated (its entry
 * no longer grants it) until the peer unmaps; such refs wait on a deferred list and count as used.
 *
 * <p>Locking: one monitor guards the free map, the deferred list and the notifications. Entries
 * are written with volatile stores, which is all a peer relies on.
 */
public final class SimulatedGrantTable implements GrantBackend {
    private static final Logger log = LoggerFactory.getLogger(SimulatedGrantTable.class);
    private static final String FILE_PREFIX = "gntfs-";
    private static final Pattern OWNED_FILE = Pattern.compile(
            Pattern.quote(FILE_PREFIX) + "(\\d{1,10})-\\d+(" + Pattern.quote(TableLayout.TABLE_SUFFIX) + "|"
                    + Pattern.quote(TableLayout.FRAMES_SUFFIX) + ")");

    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

    private final GrantTableMemory memory;
    private final TableLayout layout;

    @GuardedBy("this")
    private final BitSet usedRefs = new BitSet();

    /**
     * Free refs as a stack: the most recently freed ref is taken first, so a region's lifecycle
     * keeps reusing frames that are already faulted in and warm, instead of touching every frame
     * of the pool once (a first touch of a shared-memory page costs more than the whole grant).
     */
    @GuardedBy("this")
    private final int[] freeRefs;

    @GuardedBy("this")
    private int freeCount;

    @GuardedBy("this")
    private int used;

    @GuardedBy("this")
    private final ArrayDeque<Integer> deferred = new ArrayDeque<>();

    @GuardedBy("this")
    private final Map<Integer, UnmapNotify> notifies = new HashMap<>();

    @GuardedBy("this")
    private boolean closed;

    private SimulatedGrantTable(GrantTableMemory memory) {
        this.memory = memory;
        this.layout = memory.layout();
        this.freeRefs = new int[layout.limit()];
        for (int ref = layout.refCount() - 1; ref >= TableLayout.RESERVED_REFS; ref--) {
            freeRefs[freeCount++] = ref;
        }
    }

    /**
     * Creates a table of {@code limit} grants as two new files in {@code directory} (normally
     * {@code /dev/shm}), readable and writable by the owner only.
     */
    public static SimulatedGrantTable create(Path directory, int limit) throws IOException {
        TableLayout layout = new TableLayout(limit);
        removeOrphans(directory);
        Path tablePath = Files.createTempFile(
                directory, FILE_PREFIX + ProcessHandle.current().pid() + "-", TableLayout.TABLE_SUFFIX, OWNER_ONLY);
        Path framesPath = TableLayout.framesFileOf(tablePath);
        MappedFile table = null;
        try {
            Files.createFile(framesPath, OWNER_ONLY);
            table = MappedFile.sizeAndMap(tablePath, layout.tableBytes());
            MappedFile frames = MappedFile.sizeAndMap(framesPath, layout.framesBytes());
            return new SimulatedGrantTable(new GrantTableMemory(layout, table, frames));
        } catch (IOException | RuntimeException e) {
            if (table != null) {
                table.close();
            }
            Files.deleteIfExists(framesPath);
            Files.deleteIfExists(tablePath);
            throw e;
        }
    }

    /** Deletes the tables of daemons that died without cleaning up (SIGKILL), found by the pid in their names. */
    private static void removeOrphans(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Matcher name = OWNED_FILE.matcher(file.getFileName().toString());
                if (name.matches() && !isRunning(name.group(1))) {
                    removeOrphan(file, name.group(1));
                }
            }
        }
    }

    /** Another user's orphan, in a sticky /dev/shm, is theirs to remove: it must not stop this mount. */
    private static void removeOrphan(Path file, String deadPid) {
        try {
            Files.deleteIfExists(file);
            log.info("removed {}, left by the dead daemon {}", file, deadPid);
        } catch (IOException e) {
            log.warn("cannot remove {}, left by the dead daemon {}: {}", file, deadPid, e.toString());
        }
    }

    /** Whether a process runs with that pid; a zombie, which a SIGKILL leaves for a while, does not. */
    private static boolean isRunning(String pid) {
        try {
            String stat = Files.readString(Path.of("/proc", pid, "stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException | IndexOutOfBoundsException e) {
            return false;
        }
    }

    @Override
    public String name() {
        return "sim";
    }

    public Path tablePath() {
        return memory.tablePath();
    }

    @Override
    public synchronized GrantAllocation allocate(int domid, boolean writable, int pages) {
        checkArgument(pages > 0, "cannot allocate %s pages", pages);
        checkOpen();
        if (layout.limit() - used < pages) {
            reclaimDeferred();
        }
        if (layout.limit() - used < pages) {
            throw GntfsException.of(
                    Fault.NO_SPACE, "%d pages asked, %d grants left of %d", pages, layout.limit() - used, layout.limit());
        }
        int[] refs = new int[pages];
        long[] addresses = new long[pages];
        short flags = writable ? TableLayout.GTF_PERMIT_ACCESS : (short) (TableLayout.GTF_PERMIT_ACCESS | TableLayout.GTF_READONLY);
        for (int i = 0; i < pages; i++) {
            int ref = takeFreeRef();
            int frame = layout.frameOf(ref);
            long address = memory.frameAddress(frame);
            Posix.MEMORY.setMemory(address, GrantAllocation.PAGE_SIZE, (byte) 0);
            memory.grant(ref, domid, frame, flags);
            refs[i] = ref;
            addresses[i] = address;
        }
        used += pages;
        return new GrantAllocation(
                domid,
                writable,
                layout.frameOffset(layout.frameOf(refs[0])),
                ImmutableIntArray.copyOf(refs),
                ImmutableLongArray.copyOf(addresses));
    }

    @GuardedBy("this")
    private int takeFreeRef() {
        int ref = freeRefs[--freeCount];
        usedRefs.set(ref);
        return ref;
    }

    @Override
    public synchronized void release(GrantAllocation allocation, int first, int count) {
        checkOpen();
        // Last page first: the free stack then hands the run back in ascending order.
        for (int page = first + count - 1; page >= first; page--) {
            int ref = allocation.gref(page);
            checkState(usedRefs.get(ref), "gref %s is released twice", ref);
            UnmapNotify notify = notifies.remove(ref);
            if (notify != null) {
                fire(notify, allocation.pageAddress(page));
            }
            memory.endAccess(ref);
            if (memory.mapCount(ref) > 0) {
                deferred.add(ref);
            } else {
                freeRef(ref);
            }
        }
    }

    /** What gntalloc's {@code __del_gref} does first: clear the byte, then signal the port. */
    private void fire(UnmapNotify notify, long pageAddress) {
        if (notify.clearsByte()) {
            Posix.MEMORY.putByte(pageAddress + notify.byteInPage(), (byte) 0);
        }
        if (notify.sendsEvent()) {
            memory.signal(notify.eventPort());
        }
    }

    @GuardedBy("this")
    private void freeRef(int ref) {
        usedRefs.clear(ref);
        freeRefs[freeCount++] = ref;
        used--;
    }

    @GuardedBy("this")
    private void reclaimDeferred() {
        for (Iterator<Integer> it = deferred.iterator(); it.hasNext(); ) {
            int ref = it.next();
            if (memory.mapCount(ref) == 0) {
                it.remove();
                freeRef(ref);
            }
        }
    }

    @Override
    public synchronized void setUnmapNotify(GrantAllocation allocation, int page, UnmapNotify notify) {
        checkOpen();
        int ref = allocation.gref(page);
        checkState(usedRefs.get(ref), "gref %s is not allocated", ref);
        if (notify.sendsEvent() && notify.eventPort() >= TableLayout.EVENT_PORTS) {
            throw GntfsException.of(Fault.INVALID_ARGUMENT, "event port %d is not below %d", notify.eventPort(), TableLayout.EVENT_PORTS);
        }
        if (notify.isNone()) {
            notifies.remove(ref);
        } else {
            notifies.put(ref, notify);
        }
    }

    @Override
    public synchronized PoolUsage usage() {
        if (!closed && !deferred.isEmpty()) {
            reclaimDeferred();
        }
        return new PoolUsage(layout.limit(), used);
    }

    /** The files are unmapped once closed: touching them then would crash the process, not fail a call. */
    @GuardedBy("this")
    private void checkOpen() {
        if (closed) {
            throw GntfsException.of(Fault.IO_ERROR, "the grant table %s is closed", memory.tablePath());
        }
    }

    @VisibleForTesting
    synchronized int deferredCount() {
        return deferred.size();
    }

    @Override
    public ImmutableMap<String, String> properties() {
        return ImmutableMap.of("table", tablePath().toString());
    }

    /** Unmaps and deletes both files. Grants still held are dropped with them, and logged. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (used > 0) {
            log.warn("closing the grant table with {} grants still in use", used);
        }
        Path tablePath = memory.tablePath();
        try (memory) {
            Files.deleteIfExists(TableLayout.framesFileOf(tablePath));
            Files.deleteIfExists(tablePath);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
