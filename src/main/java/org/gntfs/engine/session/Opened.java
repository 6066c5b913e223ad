package org.gntfs.engine.session;

/** What an OPEN, OPENDIR or CREATE answers: the handle the kernel will send back, and the FOPEN_* flags. */
public final class Opened {
    private long handle;
    private int flags;

    void reset() {
        handle = 0;
        flags = 0;
    }

    public Opened handle(long handle) {
        this.handle = handle;
        return this;
    }

    /** Adds FOPEN_* flags ({@link org.gntfs.engine.abi.OpenOut#KEEP_CACHE} and the others). */
    public Opened flags(int flags) {
        this.flags |= flags;
        return this;
    }

    long handle() {
        return handle;
    }

    int flags() {
        return flags;
    }
}
