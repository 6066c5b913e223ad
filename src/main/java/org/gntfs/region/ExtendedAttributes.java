package org.gntfs.region;

import com.google.common.collect.ImmutableList;
import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntSupplier;
import org.gntfs.Fault;
import org.gntfs.GntfsException;

/**
 * The {@code user.*} attributes a node stores for its users, bounded as Linux bounds them: a
 * value of at most 64 KiB ({@code XATTR_SIZE_MAX}, else E2BIG) and names plus values of at most
 * 64 KiB per node (else ENOSPC). What they take is charged to a {@link UidUsage}, the tree's
 * limit of attribute bytes, as the node's owner's before it is stored: the bytes of names and
 * values, and {@link #OVERHEAD_BYTES} per attribute, about what one costs the heap beyond them.
 */
final class ExtendedAttributes {
    static final int MAX_VALUE_BYTES = 65536;
    static final int MAX_TOTAL_BYTES = 65536;
    /** Measured: a 1000-byte value under a 6-byte name takes 1184 bytes of heap. */
    static final int OVERHEAD_BYTES = 128;

    @GuardedBy("this")
    private final Map<String, byte[]> values = new LinkedHashMap<>();

    @GuardedBy("this")
    private int totalBytes;

    synchronized byte[] get(String name) {
        byte[] value = values.get(name);
        if (value == null) {
            throw GntfsException.of(Fault.NO_SUCH_ATTRIBUTE, "no attribute %s", name);
        }
        return value.clone();
    }

    synchronized boolean contains(String name) {
        return values.containsKey(name);
    }

    synchronized void put(String name, byte[] value, UidUsage usage, IntSupplier owner) {
        if (value.length > MAX_VALUE_BYTES) {
            throw GntfsException.of(Fault.TOO_BIG, "a value of %d bytes is over %d", value.length, MAX_VALUE_BYTES);
        }
        byte[] old = values.get(name);
        int after = totalBytes + value.length + (old == null ? cost(name, new byte[0]) : -old.length);
        if (after > MAX_TOTAL_BYTES) {
            throw GntfsException.of(Fault.NO_SPACE, "attributes would take %d bytes, over %d", after, MAX_TOTAL_BYTES);
        }
        usage.charge(owner.getAsInt(), after - totalBytes + (old == null ? OVERHEAD_BYTES : 0));
        values.put(name, value.clone());
        totalBytes = after;
    }

    synchronized void remove(String name, UidUsage usage, IntSupplier owner) {
        byte[] old = values.remove(name);
        if (old == null) {
            throw GntfsException.of(Fault.NO_SUCH_ATTRIBUTE, "no attribute %s", name);
        }
        totalBytes -= cost(name, old);
        usage.adjust(owner.getAsInt(), -cost(name, old) - OVERHEAD_BYTES);
    }

    /** Drops every attribute, giving their bytes back: the node is gone. */
    synchronized void clear(UidUsage usage, IntSupplier owner) {
        usage.adjust(owner.getAsInt(), -charged());
        values.clear();
        totalBytes = 0;
    }

    /**
     * Moves the charge of the bytes stored from {@code from} to {@code to}, who must have room for
     * them, then runs {@code change} (the change of owner); gives them back if it fails.
     */
    synchronized void moveCharge(UidUsage usage, int from, int to, Runnable change) {
        if (from == to) {
            change.run();
            return;
        }
        long charged = charged();
        usage.charge(to, charged);
        try {
            change.run();
        } catch (RuntimeException e) {
            usage.adjust(to, -charged);
            throw e;
        }
        usage.adjust(from, -charged);
    }

    @GuardedBy("this")
    private long charged() {
        return totalBytes + (long) values.size() * OVERHEAD_BYTES;
    }

    synchronized ImmutableList<String> names() {
        return ImmutableList.copyOf(values.keySet());
    }

    private static int cost(String name, byte[] value) {
        return name.length() + 1 + value.length;
    }
}
