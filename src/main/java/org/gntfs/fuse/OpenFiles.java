package org.gntfs.fuse;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.gntfs.Fault;
import org.gntfs.GntfsException;
import org.gntfs.region.Node;
import org.gntfs.region.OpenText;
import org.gntfs.region.Region;
import org.gntfs.region.RegionTree;
import org.gntfs.region.VirtualFile;
import org.jspecify.annotations.Nullable;

/**
 * Open state keyed by the FUSE file handle ({@code fi.fh}), never by path: a region keeps being
 * read, written and written back to after a rename or an unlink. Handles are never reused.
 */
final class OpenFiles {
    /** What a handle refers to: a region it holds, or the snapshot of a virtual file's text. */
    sealed interface OpenFile permits RegionFile, SnapshotFile {
        Node node();
    }

    record RegionFile(Region region) implements OpenFile {
        @Override
        public Node node() {
            return region;
        }
    }

    /** The text of a virtual file as it was when opened: reads see one consistent report. */
    record SnapshotFile(VirtualFile file, OpenText text) implements OpenFile {
        @Override
        public Node node() {
            return file;
        }
    }

    private final ConcurrentHashMap<Long, OpenFile> byHandle = new ConcurrentHashMap<>();
    private final AtomicLong nextHandle = new AtomicLong(1);

    /** Opens a region: it is held until the handle is released. */
    long open(Region region) {
        region.hold();
        return register(new RegionFile(region));
    }

    long open(VirtualFile file, OpenText text) {
        return register(new SnapshotFile(file, text));
    }

    private long register(OpenFile file) {
        long handle = nextHandle.getAndIncrement();
        byHandle.put(handle, file);
        return handle;
    }

    OpenFile get(long handle) {
        OpenFile file = byHandle.get(handle);
        if (file == null) {
            throw GntfsException.of(Fault.BAD_HANDLE, "no open file has handle %d", handle);
        }
        return file;
    }

    /** The region a handle holds, for writes and truncates; a virtual file refuses them. */
    Region region(long handle) {
        Node node = get(handle).node();
        return RegionTree.asRegion(node, node.path());
    }

    /** Whether any handle is open on {@code region}: libfuse counts opens the same way. */
    boolean isOpen(Region region) {
        return byHandle.values().stream().anyMatch(file -> file.node() == region);
    }

    /** Closes a handle; gives the region it held, if any. */
    @Nullable
    Region release(long handle) {
        OpenFile file = byHandle.remove(handle);
        if (file instanceof RegionFile regionFile) {
            regionFile.region().unhold();
            return regionFile.region();
        }
        return null;
    }
}
