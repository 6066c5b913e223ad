package org.gntfs.grant.xen;

import static org.gntfs.protocol.Pages.PAGE_SIZE;

import com.google.common.primitives.ImmutableIntArray;
import java.nio.file.Path;
import jnr.ffi.Pointer;
import org.gntfs.Fault;
import org.gntfs.GntfsException;
import org.gntfs.nativeio.NativeError;
import org.gntfs.nativeio.Posix;

/**
 * One open file of {@code /dev/xen/gntalloc}: its ioctls and mappings, as system calls and
 * nothing more. The grants it allocates belong to this file: closing it releases those that no
 * mapping holds.
 */
final class GntallocDevice implements AutoCloseable {
    /** The device through which a Linux domain on Xen grants its own pages. */
    static final Path PATH = Path.of("/dev/xen/gntalloc");

    private final int fd;

    private GntallocDevice(int fd) {
        this.fd = fd;
    }

    static GntallocDevice open() throws NativeError {
        return new GntallocDevice(Posix.open(PATH, Posix.O_RDWR, 0));
    }

    /** What ALLOC_GREF gave: where the pages are in this file, and their grant references. */
    record Grants(long index, ImmutableIntArray grefs) {}

    Grants allocate(int domid, boolean writable, int count) throws NativeError {
        Pointer request = Posix.allocate(GntallocAbi.allocGrefBufferSize(count));
        GntallocAbi.writeAllocGref(request, domid, writable, count);
        Posix.ioctl(fd, "IOCTL_GNTALLOC_ALLOC_GREF", GntallocAbi.IOCTL_ALLOC_GREF, request);
        ImmutableIntArray.Builder grefs = ImmutableIntArray.builder(count);
        for (int page = 0; page < count; page++) {
            grefs.add(GntallocAbi.allocatedGref(request, page));
        }
        return new Grants(GntallocAbi.allocatedIndex(request), grefs.build());
    }

    /** Ends the grants of {@code count} pages from {@code index}; mapped pages live on until unmapped. */
    void deallocate(long index, int count) throws NativeError {
        Pointer request = Posix.allocate(GntallocAbi.DEALLOC_GREF_SIZE);
        GntallocAbi.writeDeallocGref(request, index, count);
        Posix.ioctl(fd, "IOCTL_GNTALLOC_DEALLOC_GREF", GntallocAbi.IOCTL_DEALLOC_GREF, request);
    }

    /**
     * Sets the notification of the page holding byte {@code index}: with CLEAR_BYTE, that byte is
     * the one cleared. Action 0 removes the page's notification.
     */
    void setUnmapNotify(long index, int action, int port) throws NativeError {
        Pointer request = Posix.allocate(GntallocAbi.UNMAP_NOTIFY_SIZE);
        GntallocAbi.writeUnmapNotify(request, index, action, port);
        Posix.ioctl(fd, "IOCTL_GNTALLOC_SET_UNMAP_NOTIFY", GntallocAbi.IOCTL_SET_UNMAP_NOTIFY, request);
    }

    /** Maps {@code pages} pages from {@code index} into this process, shared and read-write. */
    long map(long index, int pages) throws NativeError {
        return Posix.mmapShared(fd, index, (long) pages * PAGE_SIZE);
    }

    static void unmap(long address, int pages) throws NativeError {
        Posix.munmap(address, (long) pages * PAGE_SIZE);
    }

    /**
     * Maps {@code pages} pages from {@code index} again, over their current mapping at
     * {@code address}: the same pages stay at the same place, under a new mapping of their own.
     *
     * @throws GntfsException when the kernel refuses, which leaves the range's mapping undefined
     */
    void remapInPlace(long address, long index, int pages) {
        try {
            Posix.mmapFixed(address, fd, index, (long) pages * PAGE_SIZE, Posix.PROT_READ | Posix.PROT_WRITE);
        } catch (NativeError e) {
            throw GntfsException.causedBy(Fault.IO_ERROR, e, "mmap of %d granted pages in place at %#x: %s",
                    pages, address, e.getMessage());
        }
    }

    /** Another descriptor of this same open file: what is handed to a client maps these grants. */
    int duplicate() throws NativeError {
        return Posix.dup(fd);
    }

    @Override
    public void close() throws NativeError {
        Posix.close(fd);
    }
}
