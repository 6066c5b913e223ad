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
 * device at a chosen offset, ioctl, descriptor duplication, hole punching and open-file-description
 * byte locks. Memory is handled as raw addresses and copied with
 * jffi's {@link MemoryIO}, so granted pages never pass through the Java heap.
 */
public final class Posix {
    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 1;
    public static final int O_RDWR = 2;
    public static final int O_ACCMODE = 3;
    public static final int O_PATH = 010000000;
    public static final int O_NOFOLLOW = 0400000;
    public static final int O_CLOEXEC = 02000000;
    public static final int PROT_READ = 1;
    public static final int PROT_WRITE = 2;
    public static final int PROT_NONE = 0;
    public static final int MAP_SHARED = 1;
    private static final int MAP_PRIVATE = 2;
    private static final int MAP_FIXED = 0x10;
    private static final int MAP_ANONYMOUS = 0x20;
    private static final long MAP_FAILED = -1;
    private static final int F_GETFL = 3;
    private static final int F_DUPFD_CLOEXEC = 1030;
    private static final int F_ADD_SEALS = 1033;
    private static final int F_SEAL_SEAL = 1;
    private static final int F_SEAL_SHRINK = 2;
    private static final int F_SEAL_GROW = 4;
    private static final int MFD_CLOEXEC = 1;
    private static final int MFD_ALLOW_SEALING = 2;
    private static final int FALLOC_FL_KEEP_SIZE = 1;
    private static final int FALLOC_FL_PUNCH_HOLE = 2;
    static final int F_OFD_GETLK = 36;
    static final int F_OFD_SETLK = 37;
    static final short F_RDLCK = 0;
    static final short F_WRLCK = 1;
    static final short F_UNLCK = 2;
    private static final short SEEK_SET = 0;
    /** x86_64's struct flock: l_type, l_whence (shorts), l_start, l_len (off_t), l_pid (int), padding. */
    static final int FLOCK_SIZE = 32;
    static final int FLOCK_TYPE = 0;
    static final int FLOCK_WHENCE = 2;
    static final int FLOCK_START = 8;
    static final int FLOCK_LENGTH = 16;
    static final int FLOCK_PID = 24;

    /** The copy engine for raw addresses: the granted pages and the FUSE engine's request buffers. */
    public static final MemoryIO MEMORY = MemoryIO.getInstance();

    /** The C library, bound once. Public so that device backends can declare their own ioctls. */
    public interface LibC {
        @SaveError
        int open(String path, int flags, int mode);

        @SaveError
        int close(int fd);

        @SaveError
        int memfd_create(String name, int flags);

        @SaveError
        int ftruncate(int fd, long length);

        // Addresses are Pointers: jnr-ffi 2.2.16's generated stub garbles a plain long first argument.
        @SaveError
        Pointer mmap(Pointer address, @size_t long length, int protection, int flags, int fd, @off_t long offset);

        @SaveError
        int munmap(Pointer address, @size_t long length);

        @SaveError
        int ioctl(int fd, long request, Pointer argument);

        @SaveError
        int fcntl(int fd, int command, int argument);

        @SaveError
        int fcntl(int fd, int command, Pointer argument);

        @SaveError
        int fchmod(int fd, int mode);

        @SaveError
        int fallocate(int fd, int mode, @off_t long offset, @off_t long length);
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

    /**
     * Closes {@code fd} when its caller has nothing left to do if that fails: Linux releases the
     * descriptor whatever close returns, and its errors (EIO of a last writeback, EINTR) concern
     * data that no caller here writes through a descriptor it closes this way.
     */
    public static void closeQuietly(int fd) {
        LIBC.close(fd);
    }

    public static void ftruncate(int fd, long length) throws NativeError {
        check("ftruncate", LIBC.ftruncate(fd, length));
    }

    /** Maps {@code length} bytes of {@code fd} at {@code offset}, shared and read-write. */
    public static long mmapShared(int fd, long offset, long length) throws NativeError {
        return mmapShared(fd, offset, length, PROT_READ | PROT_WRITE);
    }

    /** Maps {@code length} bytes of {@code fd} at {@code offset}, shared, with {@code protection}. */
    public static long mmapShared(int fd, long offset, long length, int protection) throws NativeError {
        Pointer mapping = LIBC.mmap(null, length, protection, MAP_SHARED, fd, offset);
        if (mapping == null || mapping.address() == MAP_FAILED) {
            throw new NativeError("mmap", RUNTIME.getLastError());
        }
        return mapping.address();
    }

    /** Reserves {@code length} bytes of address space, inaccessible, for {@link #mmapFixed} to fill. */
    public static long reserve(long length) throws NativeError {
        Pointer mapping = LIBC.mmap(null, length, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (mapping == null || mapping.address() == MAP_FAILED) {
            throw new NativeError("mmap", RUNTIME.getLastError());
        }
        return mapping.address();
    }

    /** Maps {@code length} bytes of {@code fd} at {@code offset}, shared, exactly at {@code address}, over what was there. */
    public static void mmapFixed(long address, int fd, long offset, long length, int protection) throws NativeError {
        Pointer mapping = LIBC.mmap(Pointer.wrap(RUNTIME, address), length, protection, MAP_SHARED | MAP_FIXED, fd, offset);
        if (mapping == null || mapping.address() != address) {
            throw new NativeError("mmap", RUNTIME.getLastError());
        }
    }

    /**
     * A new anonymous shared-memory file of exactly {@code size} bytes, sparse, sealed so that no
     * holder of a descriptor can ever change its size: a mapping of it cannot meet its end, and a
     * write cannot reach past it. Mode 0600 (a memfd is made 0777): a reopen through
     * {@code /proc/PID/fd} is then checked against this process's uid, so a descriptor handed out
     * read-only cannot be reopened read-write by anyone else.
     */
    public static int memfdOfFixedSize(String name, long size) throws NativeError {
        int fd = check("memfd_create " + name, LIBC.memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING));
        try {
            check("fchmod " + name, LIBC.fchmod(fd, 0600));
            ftruncate(fd, size);
            check("fcntl(F_ADD_SEALS)", LIBC.fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL));
            return fd;
        } catch (NativeError e) {
            LIBC.close(fd);
            throw e;
        }
    }

    /** A second descriptor of the same open file, closed on exec like every descriptor here. */
    public static int dup(int fd) throws NativeError {
        return check("fcntl(F_DUPFD_CLOEXEC)", LIBC.fcntl(fd, F_DUPFD_CLOEXEC, 0));
    }

    /** The file status flags of an open descriptor (fcntl F_GETFL): its access mode, O_PATH. */
    public static int statusFlags(int fd) throws NativeError {
        return check("fcntl(F_GETFL)", LIBC.fcntl(fd, F_GETFL, 0));
    }

    /** Frees the memory behind {@code length} bytes of a shared-memory file; they read as zeros after. */
    public static void punchHole(int fd, long offset, long length) throws NativeError {
        check("fallocate(PUNCH_HOLE)", LIBC.fallocate(fd, FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE, offset, length));
    }

    public static void munmap(long address, long length) throws NativeError {
        check("munmap", LIBC.munmap(Pointer.wrap(RUNTIME, address), length));
    }

    /**
     * Takes a shared (read) lock on byte {@code offset} of {@code fd}'s open file description,
     * without waiting. The lock belongs to that description, not to the process: the kernel drops
     * it when the description's last descriptor is closed, which a process's death does too.
     *
     * @throws NativeError EAGAIN when another description holds a write lock on the byte
     */
    public static void lockByteShared(int fd, long offset) throws NativeError {
        Pointer lock = flock(F_RDLCK, offset);
        check("fcntl(F_OFD_SETLK)", LIBC.fcntl(fd, F_OFD_SETLK, lock));
    }

    /** Whether an open file description other than {@code fd}'s holds a lock on byte {@code offset}. */
    public static boolean isByteLocked(int fd, long offset) throws NativeError {
        Pointer lock = flock(F_WRLCK, offset);
        check("fcntl(F_OFD_GETLK)", LIBC.fcntl(fd, F_OFD_GETLK, lock));
        return lock.getShort(FLOCK_TYPE) != F_UNLCK;
    }

    /** A struct flock for one byte from the start of the file; l_pid must be 0 for the OFD calls. */
    static Pointer flock(short type, long offset) {
        Pointer lock = allocate(FLOCK_SIZE);
        lock.putShort(FLOCK_TYPE, type);
        lock.putShort(FLOCK_WHENCE, SEEK_SET);
        lock.putLong(FLOCK_START, offset);
        lock.putLong(FLOCK_LENGTH, 1);
        lock.putInt(FLOCK_PID, 0);
        return lock;
    }

    public static int ioctl(int fd, String name, long request, Pointer argument) throws NativeError {
        return check(name, LIBC.ioctl(fd, request, argument));
    }

    /** Native memory of {@code size} bytes that jnr can pass to an ioctl. */
    public static Pointer allocate(int size) {
        return jnr.ffi.Memory.allocateDirect(RUNTIME, size, true);
    }

    static int check(String call, int result) throws NativeError {
        if (result < 0) {
            throw new NativeError(call, RUNTIME.getLastError());
        }
        return result;
    }
}
