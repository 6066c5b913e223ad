package org.gntfs.grant.xen;

import static org.gntfs.protocol.Pages.PAGE_SIZE;

import java.nio.file.Path;
import java.util.Optional;
import jnr.constants.platform.Errno;
import jnr.ffi.Pointer;
import org.gntfs.Errnos;
import org.gntfs.Fault;
import org.gntfs.GntfsException;
import org.gntfs.grant.GrantPeer;
import org.gntfs.grant.MappedPeerPage;
import org.gntfs.nativeio.NativeError;
import org.gntfs.nativeio.Posix;

/**
 * A peer on real Xen: maps a granted page by gref through {@code /dev/xen/gntdev}, as the
 * grantee's libxengnttab does. It maps as the domain it runs in, and by default the grants it
 * maps are this domain's own (the peer runs beside the mount); {@link #ofGrantsFrom} maps another
 * domain's grants instead, as a GUI daemon in dom0 maps a guest's.
 *
 * <p>The hypervisor answers every refused map alike (gntdev's mmap fails with EINVAL), so a
 * refused write is retried read-only to tell a read-only grant from one not given at all.
 */
public final class GntdevPeer implements GrantPeer {
    public static final Path GNTDEV = Path.of("/dev/xen/gntdev");
    private static final jnr.ffi.Runtime RUNTIME = jnr.ffi.Runtime.getRuntime(Posix.LIBC);

    private final int fd;
    private final int self;
    private final int granter;

    private GntdevPeer(int fd, int self, int granter) {
        this.fd = fd;
        this.self = self;
        this.granter = granter;
    }

    /** Maps this domain's own grants. */
    public static GntdevPeer open() {
        return ofGrantsFrom(XenDomain.current());
    }

    /** Maps the grants that domain {@code granter} made to this one. */
    public static GntdevPeer ofGrantsFrom(int granter) {
        int self = XenDomain.current();
        try {
            return new GntdevPeer(Posix.open(GNTDEV, Posix.O_RDWR, 0), self, granter);
        } catch (NativeError e) {
            throw GntfsException.causedBy(Errnos.deviceFault(e), e, "%s (is xen-gntdev loaded, and are you root?)",
                    e.getMessage());
        }
    }

    @Override
    public PeerPage map(int domid, int gref, boolean write) {
        if (domid != self) {
            throw GntfsException.of(Fault.ACCESS_DENIED,
                    "on Xen a peer maps as the domain it runs in, domain %d, not as domain %d", self, domid);
        }
        Optional<PeerPage> page = tryMap(gref, write);
        if (page.isPresent()) {
            return page.get();
        }
        if (write) {
            Optional<PeerPage> readable = tryMap(gref, false);
            if (readable.isPresent()) {
                readable.get().close();
                throw GntfsException.of(Fault.ACCESS_DENIED, "gref %d is a read-only grant", gref);
            }
        }
        throw GntfsException.of(Fault.NOT_FOUND, "gref %d is not granted to domain %d", gref, domid);
    }

    /** Maps the page, or gives nothing when the hypervisor refuses the grant. */
    private Optional<PeerPage> tryMap(int gref, boolean write) {
        Pointer request = Posix.allocate(GntdevAbi.MAP_GRANT_REF_SIZE);
        GntdevAbi.writeMapOneGrantRef(request, granter, gref);
        try {
            Posix.ioctl(fd, "IOCTL_GNTDEV_MAP_GRANT_REF", GntdevAbi.IOCTL_MAP_GRANT_REF, request);
        } catch (NativeError e) {
            throw GntfsException.causedBy(Fault.IO_ERROR, e, "%s", e.getMessage());
        }
        long index = GntdevAbi.mappedIndex(request);
        // Only now does the hypervisor see the map; read-only mappings pass for read-only grants.
        int protection = write ? Posix.PROT_READ | Posix.PROT_WRITE : Posix.PROT_READ;
        Pointer address = Posix.LIBC.mmap(null, PAGE_SIZE, protection, Posix.MAP_SHARED, fd, index);
        if (address == null || address.address() == -1) {
            int errno = RUNTIME.getLastError();
            forget(index);
            if (errno == Errno.EINVAL.intValue()) {
                return Optional.empty();
            }
            throw GntfsException.of(Fault.IO_ERROR, "mmap of gref %d through gntdev: %s", gref, Errno.valueOf(errno));
        }
        return Optional.of(new MappedPeerPage(address.address(), write, () -> forget(index)));
    }

    /** Drops gntdev's record of a map; a live mapping of it stays valid until munmap. */
    private void forget(long index) {
        Pointer request = Posix.allocate(GntdevAbi.UNMAP_GRANT_REF_SIZE);
        GntdevAbi.writeUnmapGrantRef(request, index, 1);
        try {
            Posix.ioctl(fd, "IOCTL_GNTDEV_UNMAP_GRANT_REF", GntdevAbi.IOCTL_UNMAP_GRANT_REF, request);
        } catch (NativeError e) {
            throw GntfsException.causedBy(Fault.IO_ERROR, e, "%s", e.getMessage());
        }
    }

    @Override
    public void close() {
        try {
            Posix.close(fd);
        } catch (NativeError e) {
            throw GntfsException.causedBy(Fault.IO_ERROR, e, "%s", e.getMessage());
        }
    }
}
