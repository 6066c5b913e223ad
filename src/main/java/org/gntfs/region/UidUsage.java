package org.gntfs.region;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.util.HashMap;
import java.util.Map;
import org.gntfs.Fault;
import org.gntfs.GntfsException;

/**
 * How much of one resource each uid uses, against a share per uid (EDQUOT beyond it) and a total
 * for all (ENOSPC beyond it). A charge either fits whole or changes nothing.
 */
final class UidUsage {
    /** No limit. */
    static final long UNLIMITED = Long.MAX_VALUE;

    private final String what;
    private final long total;
    private final long perUid;

    @GuardedBy("this")
    private final Map<Integer, Long> byUid = new HashMap<>();

    @GuardedBy("this")
    private long used;

    UidUsage(String what, long total, long perUid) {
        this.what = what;
        this.total = total;
        this.perUid = perUid;
    }

    /** Adds {@code amount} (negative to give back) to what {@code uid} uses, if it fits. */
    synchronized void charge(int uid, long amount) {
        long mine = byUid.getOrDefault(uid, 0L);
        if (amount > 0) {
            if (mine + amount > perUid) {
                throw GntfsException.of(Fault.QUOTA_EXCEEDED, "uid %d would use %d %s, over its %d", uid, mine + amount,
                        what, perUid);
            }
            if (used + amount > total) {
                throw GntfsException.of(Fault.NO_SPACE, "the mount would hold %d %s, over %d", used + amount, what, total);
            }
        }
        adjust(uid, amount);
    }

    /** Adds {@code amount} whether or not it fits: for what already happened, such as a grow that raced a check. */
    synchronized void adjust(int uid, long amount) {
        long mine = byUid.getOrDefault(uid, 0L) + amount;
        used += amount;
        if (mine == 0) {
            byUid.remove(uid);
        } else {
            byUid.put(uid, mine);
        }
    }

    synchronized long used() {
        return used;
    }

    synchronized long usedBy(int uid) {
        return byUid.getOrDefault(uid, 0L);
    }
}
