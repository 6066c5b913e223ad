package org.gntfs.fuse;

import com.google.common.collect.ImmutableList;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.gntfs.Fault;
import org.gntfs.GntfsException;
import org.gntfs.region.Directory;
import org.gntfs.region.Node;
import org.gntfs.region.Region;
import org.gntfs.region.OpenText;
import org.gntfs.region.VirtualFile;

/**
 * What each handle the kernel holds refers to: an open region (held, so that its grants outlive
 * an unlink until the last release), the snapshot a virtual file's open took, or a directory and
 * the listing its reader is going through. Handles are never reused.
 */
final class Handles {
    sealed interface Handle permits Opened, Snapshot, Listing {
        Node node();
    }

    record Opened(Region region) implements Handle {
        @Override
        public Node node() {
            return region;
        }
    }

    record Snapshot(VirtualFile file, OpenText text) implements Handle {
        @Override
        public Node node() {
            return file;
        }
    }

    /** A directory being read: its entries as they were when the reader last started from the top. */
    static final class Listing implements Handle {
        private final Directory directory;
        private volatile ImmutableList<Directory.Entry> entries = ImmutableList.of();

        Listing(Directory directory) {
            this.directory = directory;
        }

        @Override
        public Node node() {
            return directory;
        }

        Directory directory() {
            return directory;
        }

        ImmutableList<Directory.Entry> entries() {
            return entries;
        }

        void restart(ImmutableList<Directory.Entry> now) {
            entries = now;
        }
    }

    private final ConcurrentHashMap<Long, Handle> byHandle = new ConcurrentHashMap<>();
    private final AtomicLong next = new AtomicLong(1);

    long add(Handle handle) {
        if (handle instanceof Opened opened) {
            opened.region().hold();
        }
        long id = next.getAndIncrement();
        byHandle.put(id, handle);
        return id;
    }

    Handle get(long id) {
        Handle handle = byHandle.get(id);
        if (handle == null) {
            throw GntfsException.of(Fault.BAD_HANDLE, "no open file has handle %d", id);
        }
        return handle;
    }

    <T extends Handle> T get(long id, Class<T> kind) {
        Handle handle = get(id);
        if (!kind.isInstance(handle)) {
            throw GntfsException.of(Fault.BAD_HANDLE, "handle %d is not a %s", id, kind.getSimpleName());
        }
        return kind.cast(handle);
    }

    void release(long id) {
        if (byHandle.remove(id) instanceof Opened opened) {
            opened.region().unhold();
        }
    }

    /** The connection is gone: no release will come for what is still open. */
    void releaseAll() {
        byHandle.keySet().forEach(this::release);
    }
}
