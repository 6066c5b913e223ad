package org.gntfs.direct;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * Warnings that hostile clients can cause, bounded: at most {@code perWindow} lines of each kind
 * a minute; the rest are counted, and the first line of that kind in a later minute is preceded
 * by one summary, "N more like this". So a flood of broken connections costs the log a few lines
 * a minute, whatever its rate.
 */
final class LogBudget {
    static final Duration WINDOW = Duration.ofMinutes(1);

    private final Logger log;
    private final int perWindow;
    private final LongSupplier nanoClock;

    @GuardedBy("this")
    private final Map<String, Window> windows = new HashMap<>();

    private static final class Window {
        long start;
        int logged;
        int suppressed;

        Window(long start) {
            this.start = start;
        }
    }

    LogBudget(Logger log, int perWindow, LongSupplier nanoClock) {
        this.log = log;
        this.perWindow = perWindow;
        this.nanoClock = nanoClock;
    }

    /** Logs {@code format} at WARN unless its kind, the format itself, has used this minute's lines. */
    void warn(String format, Object... arguments) {
        int summary;
        synchronized (this) {
            long now = nanoClock.getAsLong();
            Window window = windows.computeIfAbsent(format, kind -> new Window(now));
            summary = 0;
            if (now - window.start >= WINDOW.toNanos()) {
                summary = window.suppressed;
                window.start = now;
                window.logged = 0;
                window.suppressed = 0;
            }
            if (window.logged == perWindow) {
                window.suppressed++;
                return;
            }
            window.logged++;
        }
        if (summary > 0) {
            log.warn("{} more like this in the last minute: {}", summary, format);
        }
        log.warn(format, arguments);
    }
}
