package org.gntfs.fuse;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.gntfs.Fault;
import org.gntfs.GntfsException;
import org.gntfs.region.GrantsReport;
import org.gntfs.region.Region;
import org.jspecify.annotations.Nullable;

/**
 * Open state keyed by the FUSE file handle ({@code fi.fh}), never by path: a region keeps being
 * read, written and written back to after a rename or an unlink.
 */
final class OpenFiles {
    /** What a handle refers to: a region it holds, or a snapshot of the {@code .grants} text. */
    sealed interface OpenFile permits RegionFile, ReportFile {}

    record RegionFile(Region region) implements OpenFile {}

    record ReportFile(byte[] text) implements OpenFile {}

    private final ConcurrentHashMap<Long, OpenFile> byHandle = new ConcurrentHashMap<>();
    private final AtomicLong nextHandle = new AtomicLong(1);

    /** Opens a region: it is held until the handle is released. */
    long open(Region region) {
        region.hold();
        return register(new RegionFile(region));
    }

    long open(byte[] reportText) {
        return register(new ReportFile(reportText));
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

    Region region(long handle) {
        if (get(handle) instanceof RegionFile file) {
            return file.region();
        }
        throw GntfsException.of(Fault.NOT_PERMITTED, "%s is read-only", GrantsReport.FILE_NAME);
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
