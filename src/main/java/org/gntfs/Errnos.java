package org.gntfs;

import java.util.EnumMap;
import java.util.Map;
import jnr.constants.platform.Errno;

/**
 * The one place where a {@link Fault} becomes a Linux errno, for both edges that answer with one:
 * the FUSE adapter and the direct-mapping socket.
 */
public final class Errnos {
    private static final Map<Fault, Integer> BY_FAULT = new EnumMap<>(Fault.class);

    static {
        BY_FAULT.put(Fault.NOT_FOUND, Errno.ENOENT.intValue());
        BY_FAULT.put(Fault.ALREADY_EXISTS, Errno.EEXIST.intValue());
        BY_FAULT.put(Fault.NOT_A_DIRECTORY, Errno.ENOTDIR.intValue());
        BY_FAULT.put(Fault.IS_A_DIRECTORY, Errno.EISDIR.intValue());
        BY_FAULT.put(Fault.DIRECTORY_NOT_EMPTY, Errno.ENOTEMPTY.intValue());
        BY_FAULT.put(Fault.NAME_TOO_LONG, Errno.ENAMETOOLONG.intValue());
        BY_FAULT.put(Fault.NAME_NOT_UTF8, Errno.EILSEQ.intValue());
        BY_FAULT.put(Fault.NO_SPACE, Errno.ENOSPC.intValue());
        BY_FAULT.put(Fault.BUSY, Errno.EBUSY.intValue());
        BY_FAULT.put(Fault.INVALID_ARGUMENT, Errno.EINVAL.intValue());
        BY_FAULT.put(Fault.NOT_PERMITTED, Errno.EPERM.intValue());
        BY_FAULT.put(Fault.ACCESS_DENIED, Errno.EACCES.intValue());
        // Linux's ENODATA, which getfattr reports as "No such attribute"; never the macOS ENOATTR.
        BY_FAULT.put(Fault.NO_SUCH_ATTRIBUTE, Errno.ENODATA.intValue());
        BY_FAULT.put(Fault.TOO_BIG, Errno.E2BIG.intValue());
        BY_FAULT.put(Fault.OUT_OF_RANGE, Errno.ERANGE.intValue());
        // EOPNOTSUPP (95), not jnr's ENOTSUP, which is a macOS number.
        BY_FAULT.put(Fault.NOT_SUPPORTED, Errno.EOPNOTSUPP.intValue());
        BY_FAULT.put(Fault.BAD_HANDLE, Errno.EBADF.intValue());
        BY_FAULT.put(Fault.FILE_TOO_BIG, Errno.EFBIG.intValue());
        BY_FAULT.put(Fault.TRY_AGAIN, Errno.EAGAIN.intValue());
        BY_FAULT.put(Fault.TIMED_OUT, Errno.ETIMEDOUT.intValue());
        BY_FAULT.put(Fault.IO_ERROR, Errno.EIO.intValue());
        for (Fault fault : Fault.values()) {
            if (!BY_FAULT.containsKey(fault)) {
                throw new ExceptionInInitializerError("no errno for " + fault);
            }
        }
    }

    public static final int EIO = of(Fault.IO_ERROR);
    public static final int ENODATA = of(Fault.NO_SUCH_ATTRIBUTE);

    private Errnos() {}

    public static int of(Fault fault) {
        return BY_FAULT.get(fault);
    }
}
