package org.gntfs.region;

import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/** A read-write lock held around an action: shared by lookups and reads, exclusive for changes. */
final class ReadWriteGuard {
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();

    <T> T shared(Supplier<T> action) {
        return locked(lock.readLock(), action);
    }

    <T> T exclusive(Supplier<T> action) {
        return locked(lock.writeLock(), action);
    }

    void runShared(Runnable action) {
        locked(lock.readLock(), () -> {
            action.run();
            return null;
        });
    }

    void runExclusive(Runnable action) {
        locked(lock.writeLock(), () -> {
            action.run();
            return null;
        });
    }

    private static <T> T locked(Lock held, Supplier<T> action) {
        held.lock();
        try {
            return action.get();
        } finally {
            held.unlock();
        }
    }
}
