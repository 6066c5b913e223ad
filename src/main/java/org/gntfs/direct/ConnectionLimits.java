package org.gntfs.direct;

import static com.google.common.base.Preconditions.checkState;

import com.google.common.collect.HashMultiset;
import com.google.common.collect.Multiset;
import java.util.Optional;

/**
 * How many direct-mapping connections are open, in all and by user, and whether one more may be:
 * each costs the daemon a thread while it holds a mapping. Root is counted in the total but
 * never against a user's share. Not thread-safe: the server asks under its own lock.
 */
final class ConnectionLimits {
    /** Past this many connections in all, new ones are refused. */
    static final int MAX_CONNECTIONS = 4096;
    /** So that one user cannot take every connection from the others. */
    static final int MAX_CONNECTIONS_PER_USER = 1024;

    private final int total;
    private final int perUser;
    private final Multiset<Integer> byUser = HashMultiset.create();

    ConnectionLimits() {
        this(MAX_CONNECTIONS, MAX_CONNECTIONS_PER_USER);
    }

    ConnectionLimits(int total, int perUser) {
        this.total = total;
        this.perUser = perUser;
    }

    /** Counts in a connection of {@code uid}, or says why it may not be (the caller answers EAGAIN). */
    Optional<String> admit(int uid) {
        if (byUser.size() >= total) {
            return Optional.of(String.format(
                    "%d direct-mapping connections are open, the most this daemon serves", total));
        }
        if (uid != 0 && byUser.count(uid) >= perUser) {
            return Optional.of(String.format(
                    "uid %d has %d direct-mapping connections open, the most one user may", uid, perUser));
        }
        byUser.add(uid);
        return Optional.empty();
    }

    /** Counts out a connection that {@link #admit} counted in. */
    void release(int uid) {
        checkState(byUser.remove(uid), "uid %s has no connection to release", uid);
    }

    /** How many connections are counted in now. */
    int open() {
        return byUser.size();
    }
}
