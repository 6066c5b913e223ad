package org.gntfs;

import java.util.EnumMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import jnr.constants.platform.Errno;
import org.gntfs.nativeio.NativeError;

/**
 * The one place where a {@link Fault} and a Linux errno are translated, both ways: a fault becomes
 * the errno that both edges answer with (the FUSE adapter and the direct-mapping socket), and a
 * failed system call becomes the fault it stands for.
 */
public final class Errnos {
    private static final Map<Fault, Integer> BY_FAULT = new EnumMap<>(Fault.class);
    private static final Set<Integer> SHORTAGES = new HashSet<>();

    static {
        BY_FAULT.put(Fault.NOT_FOUND, Errno.ENOENT.intValue());
        BY_FAULT.put(Fault.ALREADY_EXISTS, Errno.EEXIST.intValue());
        BY_FAULT.put(Fault.NOT_A_DIRECTORY, Errno.ENOTDIR.intValue());
        BY_FAULT.put(Fault.IS_A_DIRECTORY, Errno.EISDIR.intValue());
        BY_FAULT.put(Fault.DIRECTORY_NOT_EMPTY, Errno.ENOTEMPTY.intValue());
        BY_FAULT.put(Fault.NAME_TOO_LONG, Errno.ENAMETOOLONG.intValue());
        BY_FAULT.put(Fault.NAME_NOT_UTF8, Errno.EILSEQ.intValue());
        BY_FAULT.put(Fault.NO_SPACE, Errno.ENOSPC.intValue());
        BY_FAULT.put(Fault.QUOTA_EXCEEDED, Errno.EDQUOT.intValue());
        BY_FAULT.put(Fault.OUT_OF_MEMORY, Errno.ENOMEM.intValue());
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
        // A call the daemon makes for its own purposes tells the request one thing it can act on:
        // that there was no room for what it asked. Any other errno (an ENOENT or EINVAL of an mmap,
        // say) is the daemon's I/O error, not a fault in the request; a caller that knows what an
        // errno means in its own context says so where it makes the call.
        for (Errno shortage : new Errno[] {Errno.ENOSPC, Errno.ENOMEM, Errno.EMFILE, Errno.ENFILE, Errno.ENOBUFS}) {
            SHORTAGES.add(shortage.intValue());
        }
    }

    public static final int EIO = of(Fault.IO_ERROR);
    public static final int ENODATA = of(Fault.NO_SUCH_ATTRIBUTE);

    private Errnos() {}

    public static int of(Fault fault) {
        return BY_FAULT.get(fault);
    }

    /**
     * The fault of a failed system call that the daemon made on a request's behalf: a shortage of
     * memory, descriptors or room is {@link Fault#NO_SPACE}, anything else an I/O error.
     */
    public static Fault faultOf(NativeError e) {
        return SHORTAGES.contains(e.errno()) ? Fault.NO_SPACE : Fault.IO_ERROR;
    }

    /**
     * The fault of a failed open of a device node: a node or driver that is not there (ENOENT,
     * ENODEV, ENXIO) means the feature is not supported here, and EACCES or EPERM that the caller
     * may not use it.
     */
    public static Fault deviceFault(NativeError e) {
        if (e.is(Errno.ENOENT) || e.is(Errno.ENODEV) || e.is(Errno.ENXIO)) {
            return Fault.NOT_SUPPORTED;
        }
        if (e.is(Errno.EACCES) || e.is(Errno.EPERM)) {
            return Fault.ACCESS_DENIED;
        }
        return faultOf(e);
    }
}
