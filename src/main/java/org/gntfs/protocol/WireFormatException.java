package org.gntfs.protocol;

import java.io.IOException;

/** Text that is not in the format it should be: a request, an answer, a {@code .grants} report. */
public final class WireFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public WireFormatException(String message) {
        super(message);
    }

    public WireFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
