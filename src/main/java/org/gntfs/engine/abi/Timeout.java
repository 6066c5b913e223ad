package org.gntfs.engine.abi;

import java.time.Duration;

/** How long the kernel may cache a reply's name or attributes, as FUSE carries it: seconds and nanoseconds. */
public record Timeout(long seconds, int nanos) {
    public static final Timeout NONE = new Timeout(0, 0);

    public static Timeout of(Duration duration) {
        return new Timeout(duration.getSeconds(), duration.getNano());
    }
}
