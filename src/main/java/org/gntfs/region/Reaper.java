package org.gntfs.region;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Releases regions whose last hold is gone, and retries a release the backend fails, as gntalloc
 * defers a grant it cannot end yet. The call that dropped the last hold (unlink, rename, close)
 * has already removed the name, so it must not fail: the region stays live, its pages counted by
 * the pool and listed in {@code .grants}, and a daemon thread retries with a backoff that doubles
 * up to a bound. The failure is logged once, when it first happens, and the success after retries
 * once more.
 *
 * <p>The thread is made at the first failure and stopped by {@link #close}, after which a failed
 * release is only logged: whoever closes the tree releases what is left itself.
 */
final class Reaper implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Reaper.class);

    private static final Duration FIRST_RETRY = Duration.ofMillis(100);
    private static final Duration LONGEST_RETRY = Duration.ofSeconds(30);
    private static final Duration STOP_WAIT = Duration.ofSeconds(5);

    @GuardedBy("this")
    private @Nullable ScheduledExecutorService retries;

    @GuardedBy("this")
    private boolean closed;

    /** Releases the region now; if the backend fails, logs it and retries in the background. */
    void release(Region region) {
        try {
            region.release();
        } catch (RuntimeException e) {
            if (schedule(region, FIRST_RETRY, 1)) {
                log.warn("cannot release the grants of {} yet; retrying in the background", region.path(), e);
            } else {
                log.error("cannot release the grants of {}: the tree is closing", region.path(), e);
            }
        }
    }

    private void retry(Region region, Duration delay, int attempt) {
        try {
            region.release();
            log.info("released the grants of {} at retry {}", region.path(), attempt);
        } catch (RuntimeException e) {
            Duration next = delay.multipliedBy(2);
            // Not scheduled once closed: whoever closes the tree releases it or reports it then.
            schedule(region, next.compareTo(LONGEST_RETRY) > 0 ? LONGEST_RETRY : next, attempt + 1);
        }
    }

    /** Whether the retry was scheduled: not once closed. */
    private synchronized boolean schedule(Region region, Duration delay, int attempt) {
        if (closed) {
            return false;
        }
        if (retries == null) {
            retries = Executors.newSingleThreadScheduledExecutor(task -> {
                Thread thread = new Thread(task, "gntfs-reaper");
                thread.setDaemon(true);
                return thread;
            });
        }
        retries.schedule(() -> retry(region, delay, attempt), delay.toNanos(), TimeUnit.NANOSECONDS);
        return true;
    }

    /** Stops the retries; a retry under way finishes first. The regions left stay live. */
    @Override
    public void close() {
        ScheduledExecutorService stopping;
        synchronized (this) {
            closed = true;
            stopping = retries;
        }
        if (stopping == null) {
            return;
        }
        stopping.shutdownNow();
        try {
            if (!stopping.awaitTermination(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("a release retry still runs after {}", STOP_WAIT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
