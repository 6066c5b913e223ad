package org.gntfs.nativeio;

import java.io.IOException;
import jnr.constants.platform.Errno;

/** A failed system call, with the errno it set. */
public final class NativeError extends IOException {
    private static final long serialVersionUID = 1L;

    private final int errno;

    NativeError(String call, int errno) {
        super(call + ": " + describe(errno));
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }

    public boolean is(Errno expected) {
        return errno == expected.intValue();
    }

    private static String describe(int errno) {
        Errno known = Errno.valueOf(errno);
        return known == Errno.__UNKNOWN_CONSTANT__ ? "errno " + errno : known.description() + " (" + known.name() + ")";
    }
}
