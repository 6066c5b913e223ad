package org.gntfs;

import static com.google.common.base.Preconditions.checkNotNull;

import org.gntfs.nativeio.NativeError;

/**
 * A failure of a filesystem operation that the caller can act on. It carries the {@link Fault}
 * that the FUSE edge turns into an errno, and a message for the log and the CLI.
 *
 * <p>It records no stack trace: these are answers, not bugs, and some are on hot paths (every
 * {@code create} first looks the new name up and gets ENOENT). A lower-level cause keeps its own.
 */
public final class GntfsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final Fault fault;

    private GntfsException(Fault fault, String message, Throwable cause) {
        super(message, cause, false, false);
        this.fault = checkNotNull(fault);
    }

    /** A failure with a message built like {@link String#format}. */
    public static GntfsException of(Fault fault, String format, Object... args) {
        return new GntfsException(fault, String.format(format, args), null);
    }

    /** A failure caused by a lower-level one, such as a failed system call. */
    public static GntfsException causedBy(Fault fault, Throwable cause, String format, Object... args) {
        return new GntfsException(fault, String.format(format, args), cause);
    }

    /** A failure caused by a failed system call, with the fault its errno stands for ({@link Errnos#faultOf}). */
    public static GntfsException causedBy(NativeError cause, String format, Object... args) {
        return causedBy(Errnos.faultOf(cause), cause, format, args);
    }

    public Fault fault() {
        return fault;
    }
}
