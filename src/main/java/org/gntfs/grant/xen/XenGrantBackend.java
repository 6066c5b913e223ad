package org.gntfs.grant.xen;

import static com.google.common.base.Preconditions.checkState;

import com.google.common.collect.ImmutableMap;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import jnr.constants.platform.Errno;
import org.gntfs.Errnos;
import org.gntfs.Fault;
import org.gntfs.GntfsException;
import org.gntfs.grant.GrantBackend;
import org.gntfs.grant.GrantSpace;
import org.gntfs.grant.PoolUsage;
import org.gntfs.nativeio.NativeError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Real Xen grants, through {@code /dev/xen/gntalloc}: each {@link XenGrantSpace} is an open file
 * of its own, so a region's descriptor reaches no other region's grants.
 *
 * <p>The pool is gntalloc's {@code limit}, shared by every user of the device in this domain and
 * changeable at runtime, so it is read anew each time; what this backend holds is counted here.
 */
public final class XenGrantBackend implements GrantBackend {
    private static final Logger log = LoggerFactory.getLogger(XenGrantBackend.class);

    /** gntalloc's limit on the grants of the whole domain, writable by root. */
    public static final Path LIMIT = Path.of("/sys/module/xen_gntalloc/parameters/limit");

    /** The grants all spaces hold: gntalloc's limit counts every user's, so this is the mount's share. */
    private final AtomicLong held = new AtomicLong();

    private volatile boolean closed;

    private XenGrantBackend() {}

    /** Opens gntalloc; says in one line why not where Xen or the module is missing. */
    public static XenGrantBackend open() {
        // The request numbers and struct layouts here are x86_64's; gntalloc has no compat ioctl.
        if (!System.getProperty("os.arch").equals("amd64")) {
            throw GntfsException.of(Fault.NOT_SUPPORTED, "the Xen backend runs on x86_64 only, not on %s",
                    System.getProperty("os.arch"));
        }
        try {
            GntallocDevice.open().close();
            return new XenGrantBackend();
        } catch (NativeError e) {
            Fault fault = Errnos.deviceFault(e);
            String hint = switch (fault) {
                case NOT_SUPPORTED -> "no Xen grants here: %s (is this a Xen domain with xen-gntalloc loaded?)";
                case ACCESS_DENIED -> "%s (run the daemon as root)";
                default -> "%s";
            };
            throw GntfsException.causedBy(fault, e, hint, e.getMessage());
        }
    }

    @Override
    public String name() {
        return XenBackendProvider.NAME;
    }

    @Override
    public GrantSpace openSpace() {
        checkState(!closed, "the gntalloc backend is closed");
        return new XenGrantSpace(this);
    }

    /**
     * gntalloc pages are allocated and mapped through one read-write open file, and a descriptor
     * handed out is that file: it maps writable whatever was asked.
     */
    @Override
    public boolean enforcesReadOnlyDescriptors() {
        return false;
    }

    /**
     * A gntalloc descriptor can allocate grants outside the mount's count and end the region's
     * own: lent only to a client that can open the device read-write itself.
     */
    @Override
    public Optional<Path> deviceLentOnlyToItsOpeners() {
        return Optional.of(GntallocDevice.PATH);
    }

    void granted(int pages) {
        held.addAndGet(pages);
    }

    void ended(int pages) {
        held.addAndGet(-pages);
    }

    GntfsException allocationFailure(NativeError e, int pages) {
        if (e.is(Errno.ENOSPC)) {
            return GntfsException.causedBy(Fault.NO_SPACE, e,
                    "no room for %d more grants: gntalloc's limit is %s grants for the whole domain (%s),"
                            + " this mount holds %d; or this domain's grant table is full (Xen's gnttab_max_frames)",
                    pages, limitText(), LIMIT, held.get());
        }
        if (e.is(Errno.ENOMEM)) {
            return GntfsException.causedBy(e, "the kernel has no memory for %d more granted pages", pages);
        }
        return GntfsException.causedBy(e, "%s", e.getMessage());
    }

    private static String limitText() {
        try {
            return Long.toString(readLimit());
        } catch (GntfsException e) {
            return "unknown";
        }
    }

    @Override
    public PoolUsage usage() {
        return new PoolUsage(readLimit(), held.get());
    }

    private static long readLimit() {
        try {
            return Long.parseLong(Files.readString(LIMIT).trim());
        } catch (IOException | NumberFormatException e) {
            throw GntfsException.causedBy(Fault.IO_ERROR, e, "cannot read gntalloc's limit from %s: %s", LIMIT, e);
        }
    }

    /** The peer finds nothing it needs here: gntdev maps by gref and the granting domain's id. */
    @Override
    public ImmutableMap<String, String> properties() {
        return ImmutableMap.of();
    }

    /**
     * Marks the backend closed. Each space's gntalloc file is closed with its region; closing one
     * ends every grant it still holds, and their notifications fire then.
     */
    @Override
    public void close() {
        closed = true;
        if (held.get() > 0) {
            log.warn("closing the gntalloc backend with {} grants still held", held.get());
        }
    }
}
