package org.gntfs.nativeio;

import java.nio.file.Path;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.intptr_t;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * The system calls a FUSE server makes on {@code /dev/fuse} and for its mount: plain read(2) and
 * write(2) of whole messages between the device and native buffers (raw addresses, no Java
 * heap, no upcalls), the clone ioctl, and mount(2)/umount2(2) for a server running as root.
 */
public final class FuseDevice {
    public static final Path DEVICE = Path.of("/dev/fuse");

    /** {@code FUSE_DEV_IOC_CLONE}: _IOR(229, 0, uint32_t). */
    static final long IOC_CLONE = 0x8004E500L;

    public static final long MS_NOSUID = 2;
    public static final long MS_NODEV = 4;
    public static final int MNT_DETACH = 2;

    /** Public because jnr-ffi implements it from another class loader. */
    public interface Calls {
        @SaveError
        @ssize_t
        long read(int fd, @intptr_t long buffer, @size_t long count);

        @SaveError
        @ssize_t
        long write(int fd, @intptr_t long buffer, @size_t long count);

        @SaveError
        int mount(String source, String target, String type, long flags, String data);

        @SaveError
        int umount2(String target, int flags);
    }

    private static final Calls CALLS = LibraryLoader.create(Calls.class).failImmediately().load("c");
    private static final jnr.ffi.Runtime RUNTIME = jnr.ffi.Runtime.getRuntime(CALLS);

    private FuseDevice() {}

    /** Opens {@code /dev/fuse} for reading and writing, closed on exec. */
    public static int open() throws NativeError {
        return Posix.open(DEVICE, Posix.O_RDWR, 0);
    }

    /**
     * Reads one whole message into {@code length} bytes at {@code address}; the kernel never
     * splits or joins messages. Returns its length.
     */
    public static int read(int fd, long address, int length) throws NativeError {
        long count = CALLS.read(fd, address, length);
        if (count < 0) {
            throw new NativeError("read /dev/fuse", RUNTIME.getLastError());
        }
        return (int) count;
    }

    /** Writes one whole message of {@code length} bytes at {@code address}. */
    public static void write(int fd, long address, int length) throws NativeError {
        long count = CALLS.write(fd, address, length);
        if (count < 0) {
            throw new NativeError("write /dev/fuse", RUNTIME.getLastError());
        }
    }

    /**
     * A new descriptor of the connection {@code fd} serves, with its own queue of requests being
     * processed: a request read from it must be answered on it.
     */
    public static int cloneOf(int fd) throws NativeError {
        int clone = open();
        Pointer argument = Posix.allocate(4);
        argument.putInt(0, fd);
        try {
            Posix.ioctl(clone, "ioctl(FUSE_DEV_IOC_CLONE)", IOC_CLONE, argument);
            return clone;
        } catch (NativeError e) {
            Posix.closeQuietly(clone);
            throw e;
        }
    }

    public static void mount(String source, Path target, String type, long flags, String data) throws NativeError {
        Posix.check("mount " + target, CALLS.mount(source, target.toString(), type, flags, data));
    }

    public static void unmount(Path target, int flags) throws NativeError {
        Posix.check("umount2 " + target, CALLS.umount2(target.toString(), flags));
    }
}
