package org.gntfs.nativeio;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A file mapped shared and read-write into this process, known by its raw address. Used for the
 * simulated grant table, whose pages other processes map too.
 */
public final class MappedFile implements AutoCloseable {
    private final Path path;
    private final int fd;
    private final long address;
    private final long length;
    private boolean closed;

    private MappedFile(Path path, int fd, long address, long length) {
        this.path = path;
        this.fd = fd;
        this.address = address;
        this.length = length;
    }

    /** Sizes a new, empty file (made by the caller with the permissions it wants) and maps it. */
    public static MappedFile sizeAndMap(Path path, long length) throws IOException {
        if (length <= 0) {
            throw new IllegalArgumentException("cannot map " + length + " bytes");
        }
        int fd = Posix.open(path, Posix.O_RDWR | Posix.O_NOFOLLOW, 0);
        try {
            Posix.ftruncate(fd, length);
            return new MappedFile(path, fd, Posix.mmapShared(fd, 0, length), length);
        } catch (IOException e) {
            Posix.close(fd);
            throw e;
        }
    }

    /** Maps an existing file whole. */
    public static MappedFile map(Path path) throws IOException {
        long length = Files.size(path);
        int fd = Posix.open(path, Posix.O_RDWR | Posix.O_NOFOLLOW, 0);
        try {
            return new MappedFile(path, fd, Posix.mmapShared(fd, 0, length), length);
        } catch (IOException e) {
            Posix.close(fd);
            throw e;
        }
    }

    public Path path() {
        return path;
    }

    public long address() {
        return address;
    }

    public long length() {
        return length;
    }

    /**
     * A direct buffer over the first {@code bytes} of the mapping, in native order, for atomic
     * accesses through VarHandles. It must not be used after {@link #close()}.
     */
    public ByteBuffer buffer(int bytes) {
        if (bytes > length) {
            throw new IllegalArgumentException(bytes + " bytes exceed the " + length + "-byte mapping");
        }
        return Posix.MEMORY.newDirectByteBuffer(address, bytes).order(ByteOrder.nativeOrder());
    }

    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Posix.munmap(address, length);
        } finally {
            Posix.close(fd);
        }
    }
}
