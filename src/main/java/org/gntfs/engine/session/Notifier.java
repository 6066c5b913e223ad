package org.gntfs.engine.session;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.gntfs.engine.abi.Notify;
import org.gntfs.engine.abi.OutHeader;
import org.gntfs.nativeio.FuseDevice;
import org.gntfs.nativeio.NativeError;
import org.gntfs.nativeio.Posix;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends notifications to the kernel from a thread of its own. A notification takes kernel locks
 * (the parent directory's for INVAL_ENTRY, the pages' for INVAL_INODE) that a request being
 * served may hold while it waits for its reply: sent from a worker it could wait for itself.
 * Callers only queue; ENOENT ("not cached") is normal and dropped.
 */
public final class Notifier implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Notifier.class);

    private final int fd;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(runnable -> {
        Thread t = new Thread(runnable, "gntfs-fuse-notify");
        t.setDaemon(true);
        return t;
    });

    Notifier(int fd) {
        this.fd = fd;
    }

    /** Drops the cached attributes of {@code node}, and its cached pages in [offset, offset+length) if offset >= 0. */
    public void invalidateInode(long node, long offset, long length) {
        thread.execute(() -> {
            ByteBuffer message = message(Notify.INVAL_INODE, Notify.INVAL_INODE_SIZE);
            message.putLong(OutHeader.SIZE, node).putLong(OutHeader.SIZE + 8, offset).putLong(OutHeader.SIZE + 16, length);
            send(message);
        });
    }

    /** Drops the cached name {@code name} in {@code parent}. */
    public void invalidateEntry(long parent, String name) {
        byte[] bytes = name.getBytes(UTF_8);
        thread.execute(() -> {
            ByteBuffer message = message(Notify.INVAL_ENTRY, Notify.INVAL_ENTRY_SIZE + bytes.length + 1);
            message.putLong(OutHeader.SIZE, parent).putInt(OutHeader.SIZE + 8, bytes.length).putInt(OutHeader.SIZE + 12, 0);
            message.put(OutHeader.SIZE + Notify.INVAL_ENTRY_SIZE, bytes);
            send(message);
        });
    }

    private static ByteBuffer message(int code, int body) {
        ByteBuffer message = ByteBuffer.allocateDirect(OutHeader.SIZE + body).order(ByteOrder.nativeOrder());
        OutHeader.put(message, message.capacity(), code, 0);
        return message;
    }

    private void send(ByteBuffer message) {
        try {
            FuseDevice.write(fd, Posix.MEMORY.getDirectBufferAddress(message), message.capacity());
        } catch (NativeError e) {
            log.debug("notification {} not applied: {}", OutHeader.error(message), e.getMessage());
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
