package org.gntfs.engine.node;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The nodes the kernel knows by id, each with its lookup count: every reply that hands the kernel
 * a node (LOOKUP, CREATE, MKDIR, MKNOD, LINK, each READDIRPLUS entry) adds one, FORGET and
 * BATCH_FORGET take {@code n} away, and at zero the kernel has forgotten the id. The filesystem
 * chooses the ids (they must never be reused for another object: the kernel would take the new
 * object for the old); the root, id 1, is known from the mount on and never forgotten.
 *
 * <p>The table only maps ids the kernel may still send to their objects. What keeps an object
 * alive beyond that (a name in its directory, an open handle) is the filesystem's business: the
 * kernel answers RELEASE before it forgets a node, so an open handle never outlives its id.
 *
 * <p>Each count changes inside {@link ConcurrentHashMap#compute} of its id, so a LOOKUP that
 * hands out an id racing a FORGET that drops it to zero either revives the entry or finds it
 * gone and makes a new one; it never returns an id whose entry was just removed.
 */
public final class NodeTable<T> {
    public static final long ROOT_ID = 1;

    private static final class Known<T> {
        final T node;
        volatile long lookups;

        Known(T node) {
            this.node = node;
        }
    }

    private final ConcurrentHashMap<Long, Known<T>> byId = new ConcurrentHashMap<>();

    public NodeTable(T root) {
        Known<T> known = new Known<>(root);
        known.lookups = 1;
        byId.put(ROOT_ID, known);
    }

    /**
     * Records that a reply hands {@code node} to the kernel as {@code id}: one more lookup.
     *
     * @throws IllegalStateException if the id is known as another object
     */
    public void remember(long id, T node) {
        checkArgument(id != 0, "node id 0 is no node");
        if (id == ROOT_ID) {
            return;
        }
        byId.compute(id, (key, known) -> {
            Known<T> entry = known != null ? known : new Known<>(node);
            if (entry.node != node) {
                throw new IllegalStateException("node id " + id + " is already another node");
            }
            entry.lookups++;
            return entry;
        });
    }

    /** The node the kernel calls {@code id}, or null if it has none by that id. */
    public @Nullable T get(long id) {
        Known<T> known = byId.get(id);
        return known == null ? null : known.node;
    }

    /** Takes {@code lookups} away from {@code id}'s count; at zero the id is forgotten. */
    public void forget(long id, long lookups) {
        if (id == ROOT_ID) {
            return;
        }
        byId.computeIfPresent(id, (key, known) -> {
            known.lookups -= lookups;
            return known.lookups > 0 ? known : null;
        });
    }

    /** The lookup count of {@code id}; 0 if it is not known. */
    public long lookups(long id) {
        Known<T> known = byId.get(id);
        return known == null ? 0 : known.lookups;
    }

    /** How many ids the kernel knows, the root included. */
    public int size() {
        return byId.size();
    }

    /** Forgets every id but the root's: the connection has ended, and the kernel's counts with it. */
    public void clear() {
        byId.keySet().removeIf(id -> id != ROOT_ID);
    }
}
