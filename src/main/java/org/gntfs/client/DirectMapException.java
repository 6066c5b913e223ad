package org.gntfs.client;

import java.io.IOException;

/** The daemon refused a direct mapping, with the errno an open of the same path would have given. */
public final class DirectMapException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int errno;

    public DirectMapException(int errno, String message) {
        super(message);
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
