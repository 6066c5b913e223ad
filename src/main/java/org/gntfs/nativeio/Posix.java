package org.gntfs.nativeio;

import com.kenai.jffi.MemoryIO;
import java.nio.file.Path;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.off_t;
import jnr.ffi.types.size_t;

/**
 * The few Linux system calls that the JDK does not offer: mmap of a shared-memory file or a
 * device at a chosen offset, and ioctl. Memory is handled as raw addresses and copied with
 * jffi's {@link MemoryIO}, so granted pages never pass through the Java heap.
 */
public final class Posix {
    public static final int O_RDWR = 2;
    public static final int O_NOFOLLOW = 0400000;
    public static final int O_CLOEXEC = 02000000;
    public static final int PROT_READ = 1;
    public static final int PROT_WRITE = 2;
    public static final int MAP_SHARED = 1;
    private static final long MAP_FAILED = -1;

    /** The copy engine for raw addresses: the granted pages and libfuse's buffers. */
    public static final MemoryIO MEMORY = MemoryIO.getInstance();

    /** The C library, bound once. Public so that device backends can declare their own ioctls. */
    public interface LibC {
        @SaveError
        int open(String path, int flags, int mode);

        @SaveError
        int close(int fd);

        @SaveError
        int ftruncate(int fd, long length);

        // Addresses are Pointers: jnr-ffi 2.2.16's generated stub garbles a plain long first argument.
        @SaveError
        Pointer mmap(Pointer address, @size_t long length, int protection, int flags, int fd, @off_t long offset);

        @SaveError
        int munmap(Pointer address, @size_t long length);

        @SaveError
        int ioctl(int fd, long request, Pointer argument);
    }

    public static final LibC LIBC = LibraryLoader.create(LibC.class).failImmediately().load("c");
    private static final jnr.ffi.Runtime RUNTIME = jnr.ffi.Runtime.getRuntime(LIBC);

    private Posix() {}

    public static int open(Path path, int flags, int mode) throws NativeError {
        int fd = LIBC.open(path.toString(), flags | O_CLOEXEC, mode);
        return check("open " + path, fd);
    }

    public static void close(int fd) throws NativeError {
        check("close", LIBC.close(fd));
    }

    public static void ftruncate(int fd, long length) throws NativeError {
        check("ftruncate", LIBC.ftruncate(fd, length));
    }

    /** Maps {@code length} bytes of {@code fd} at {@code offset}, shared and read-write. */
    public static long mmapShared(int fd, long offset, long length) throws NativeError {
        Pointer mapping = LIBC.mmap(null, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, offset);
        if (mapping == null || mapping.address() == MAP_FAILED) {
            throw new NativeError("mmap", RUNTIME.getLastError());
        }
        return mapping.address();
    }

    public static void munmap(long address, long length) throws NativeError {
        check("munmap", LIBC.munmap(Pointer.wrap(RUNTIME, address), length));
    }

    public static int ioctl(int fd, String name, long request, Pointer argument) throws NativeError {
        return check(name, LIBC.ioctl(fd, request, argument));
    }

    /** Native memory of {@code size} bytes that jnr can pass to an ioctl. */
    public static Pointer allocate(int size) {
        return jnr.ffi.Memory.allocateDirect(RUNTIME, size, true);
    }

    private static int check(String call, int result) throws NativeError {
        if (result < 0) {
            throw new NativeError(call, RUNTIME.getLastError());
        }
        return result;
    }
}
