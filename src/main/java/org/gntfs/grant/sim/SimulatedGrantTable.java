package org.gntfs.grant.sim;

import static com.google.common.base.Preconditions.checkState;

import com.google.common.annotations.VisibleForTesting;
import com.google.common.collect.ImmutableMap;
import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.gntfs.Fault;
import org.gntfs.GntfsException;
import org.gntfs.grant.GrantBackend;
import org.gntfs.grant.GrantSpace;
import org.gntfs.grant.PoolUsage;
import org.gntfs.grant.UnmapNotify;
import org.gntfs.nativeio.MappedFile;
import org.gntfs.nativeio.NativeError;
import org.gntfs.nativeio.Posix;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded grant backend: a v1 grant table in a shared-memory file that only the daemon's
 * user can open, and each region's frames in a memfd of its own (its {@link SimulatedSpace}),
 * which only that user (through {@code /proc}) and the clients it is handed to can reach, so that
 * {@link SimulatedPeer} in another process can act as the foreign domain and a client can map a
 * region's very frames. See {@link TableLayout}.
 *
 * <p>Like Xen after XSA-396, a page released while a peer still maps it stays allocated (its entry
 * no longer grants it) until the peer unmaps; such refs wait on a deferred list and count as used.
 * A peer's mapping is a kernel lock held by a descriptor of the peer's ({@link GrantTableMemory}),
 * so a peer that dies unmaps with it: the deferred refs are checked again when refs run short, at
 * every {@link #usage}, and every {@link #DEFERRED_RECHECK} while any is left.
 *
 * <p>Locking: this table's monitor guards the free refs, the deferred list, the notifications and
 * every space's own state. Entries are written with volatile stores, which is all a peer relies on.
 */
public final class SimulatedGrantTable implements GrantBackend {
    private static final Logger log = LoggerFactory.getLogger(SimulatedGrantTable.class);
    /** The {@link #properties} entry that tells a peer where the table file is. */
    static final String TABLE_FACT = "table";

    /** How long after a deferral, and then how often while refs are deferred, they are checked again. */
    static final Duration DEFERRED_RECHECK = Duration.ofMillis(200);

    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

    private final GrantTableMemory memory;
    private final TableLayout layout;

    @GuardedBy("this")
    private final BitSet usedRefs = new BitSet();

    /**
     * Free refs as a stack: the most recently freed ref is taken first, so that a region's
     * lifecycle keeps reusing the same few refs and their cache-warm table entries.
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
    private final Set<SimulatedSpace> openSpaces = new HashSet<>();

    @GuardedBy("this")
    private long lastSpaceId;

    @GuardedBy("this")
    private boolean closed;

    /** Made when the first ref is deferred; stopped by {@link #close}. */
    @GuardedBy("this")
    private @Nullable ScheduledExecutorService rechecks;

    @GuardedBy("this")
    private boolean recheckScheduled;

    private SimulatedGrantTable(GrantTableMemory memory) {
        this.memory = memory;
        this.layout = memory.layout();
        this.freeRefs = new int[layout.limit()];
        for (int ref = layout.refCount() - 1; ref >= TableLayout.RESERVED_REFS; ref--) {
            freeRefs[freeCount++] = ref;
        }
    }

    /**
     * Creates a table of {@code limit} grants as a new file in {@code directory} (normally
     * {@code /dev/shm}), readable and writable by the owner only.
     */
    public static SimulatedGrantTable create(Path directory, int limit) throws IOException {
        TableLayout layout = new TableLayout(limit);
        OrphanTables.removeFrom(directory);
        Path tablePath = Files.createTempFile(
                directory, OrphanTables.FILE_PREFIX + ProcessHandle.current().pid() + "-", TableLayout.TABLE_SUFFIX, OWNER_ONLY);
        MappedFile table = null;
        try {
            table = MappedFile.sizeAndMap(tablePath, layout.tableBytes());
            return new SimulatedGrantTable(new GrantTableMemory(layout, table));
        } catch (IOException | RuntimeException e) {
            if (table != null) {
                table.close();
            }
            Files.deleteIfExists(tablePath);
            throw e;
        }
    }

    @Override
    public String name() {
        return SimulatedBackendProvider.NAME;
    }

    public Path tablePath() {
        return memory.tablePath();
    }

    @Override
    public synchronized GrantSpace openSpace() {
        checkOpen();
        SimulatedSpace space = new SimulatedSpace(this);
        openSpaces.add(space);
        return space;
    }

    /** A space is a memfd reopened read-only for a read-only descriptor: the kernel enforces it. */
    @Override
    public boolean enforcesReadOnlyDescriptors() {
        return true;
    }

    /** A memfd's descriptor reaches one allocation's frames and carries no other power. */
    @Override
    public Optional<Path> deviceLentOnlyToItsOpeners() {
        return Optional.empty();
    }

    String spaceName(long spaceId) {
        return TableLayout.spaceName(memory.tablePath(), spaceId);
    }

    /** Takes {@code count} free refs, all or none. */
    @GuardedBy("this")
    int[] takeRefs(int count) {
        checkOpen();
        if (layout.limit() - used < count) {
            reclaimDeferred();
        }
        if (layout.limit() - used < count) {
            throw GntfsException.of(
                    Fault.NO_SPACE, "%d pages asked, %d grants left of %d", count, layout.limit() - used, layout.limit());
        }
        int[] refs = new int[count];
        for (int i = 0; i < count; i++) {
            int ref = freeRefs[--freeCount];
            usedRefs.set(ref);
            refs[i] = ref;
        }
        used += count;
        return refs;
    }

    /** Gives back refs taken but never granted. */
    @GuardedBy("this")
    void untakeRefs(int[] refs) {
        for (int i = refs.length - 1; i >= 0; i--) {
            freeRef(refs[i]);
        }
    }

    @GuardedBy("this")
    void grant(int ref, int domid, boolean writable, long spaceId, int descriptor, long frame) {
        short flags = writable ? TableLayout.GTF_PERMIT_ACCESS : (short) (TableLayout.GTF_PERMIT_ACCESS | TableLayout.GTF_READONLY);
        memory.grant(ref, domid, spaceId, descriptor, frame, flags);
    }

    /**
     * Ends the grant of {@code ref}, whose frame the daemon maps at {@code pageAddress}: its
     * notification fires, and the ref is free again unless a peer still maps it.
     *
     * @return whether a peer still maps the frame, which must then keep its memory
     */
    @GuardedBy("this")
    boolean endGrant(int ref, long pageAddress) {
        checkOpen();
        checkState(usedRefs.get(ref), "gref %s is released twice", ref);
        UnmapNotify notify = notifies.remove(ref);
        if (notify != null) {
            fire(notify, pageAddress);
        }
        memory.endAccess(ref);
        if (isPeerMapped(ref)) {
            deferred.add(ref);
            scheduleRecheck();
            return true;
        }
        freeRef(ref);
        return false;
    }

    /** What gntalloc's {@code __del_gref} does first: clear the byte, then signal the port. */
    @GuardedBy("this")
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
            if (!isPeerMapped(ref)) {
                it.remove();
                freeRef(ref);
            }
        }
    }

    /**
     * Whether a peer still maps {@code ref}. The kernel cannot fail the question on a descriptor
     * that is open; if it did, the ref would stay deferred: a grant lost, never a frame freed under
     * a mapping.
     */
    @GuardedBy("this")
    private boolean isPeerMapped(int ref) {
        try {
            return memory.isHeld(ref);
        } catch (NativeError e) {
            log.warn("cannot tell whether a peer maps gref {}; it stays deferred: {}", ref, e.getMessage());
            return true;
        }
    }

    /**
     * Re-checks the deferred refs after {@link #DEFERRED_RECHECK}, and again while any is left: a
     * peer that dies lets go of its refs without telling anyone, and its grants must come back
     * without waiting for the next allocation or {@code df}.
     */
    @GuardedBy("this")
    private void scheduleRecheck() {
        if (closed || recheckScheduled) {
            return;
        }
        if (rechecks == null) {
            rechecks = Executors.newSingleThreadScheduledExecutor(task -> {
                Thread thread = new Thread(task, "gntfs-deferred-refs");
                thread.setDaemon(true);
                return thread;
            });
        }
        recheckScheduled = true;
        rechecks.schedule(this::recheckDeferred, DEFERRED_RECHECK.toNanos(), TimeUnit.NANOSECONDS);
    }

    private synchronized void recheckDeferred() {
        recheckScheduled = false;
        if (closed) {
            return;
        }
        reclaimDeferred();
        if (!deferred.isEmpty()) {
            scheduleRecheck();
        }
    }

    @GuardedBy("this")
    void setUnmapNotify(int ref, UnmapNotify notify) {
        checkOpen();
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

    /** A new space id, for the name of one memfd; ids are never reused. */
    @GuardedBy("this")
    long newSpaceId() {
        return ++lastSpaceId;
    }

    @GuardedBy("this")
    void spaceClosed(SimulatedSpace space) {
        openSpaces.remove(space);
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
    void checkOpen() {
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
        return ImmutableMap.of(TABLE_FACT, tablePath().toString());
    }

    /** Unmaps and deletes the table and closes its spaces. Grants still held are dropped with them, and logged. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        if (used > 0) {
            log.warn("closing the grant table with {} grants still in use", used);
        }
        for (SimulatedSpace space : List.copyOf(openSpaces)) {
            space.close();
        }
        closed = true;
        if (rechecks != null) {
            rechecks.shutdownNow();
        }
        Path tablePath = memory.tablePath();
        try (memory) {
            Files.deleteIfExists(tablePath);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
