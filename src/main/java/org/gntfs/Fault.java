package org.gntfs;

/**
 * Why an operation on the region model failed. Each fault corresponds to one errno, and only
 * {@link Errnos} knows which.
 */
public enum Fault {
    NOT_FOUND,
    ALREADY_EXISTS,
    NOT_A_DIRECTORY,
    IS_A_DIRECTORY,
    DIRECTORY_NOT_EMPTY,
    NAME_TOO_LONG,
    /** A name whose bytes are not UTF-8: they cannot reach the daemon intact. */
    NAME_NOT_UTF8,
    /** The grant pool, or an attribute store, has no room left. */
    NO_SPACE,
    /** The caller's own share of a limit (attribute bytes, grants) is used up; others may have room. */
    QUOTA_EXCEEDED,
    /** The daemon ran out of memory for this request; it goes on serving others. */
    OUT_OF_MEMORY,
    /** The value cannot change any more, e.g. the domid of a region that already has pages. */
    BUSY,
    INVALID_ARGUMENT,
    NOT_PERMITTED,
    ACCESS_DENIED,
    NO_SUCH_ATTRIBUTE,
    /** A value is larger than the limit for its kind. */
    TOO_BIG,
    /** The caller's buffer is too small for the value. */
    OUT_OF_RANGE,
    NOT_SUPPORTED,
    BAD_HANDLE,
    FILE_TOO_BIG,
    /** A limit on concurrent use is reached; the same call may succeed later. */
    TRY_AGAIN,
    /** The other side did not do its part in time. */
    TIMED_OUT,
    IO_ERROR,
}
