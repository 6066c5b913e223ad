package org.gntfs.fuse;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.google.common.collect.ImmutableMap;
import com.google.common.io.MoreFiles;
import com.google.common.io.RecursiveDeleteOption;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import jnr.constants.platform.Errno;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import org.gntfs.Limits;
import org.gntfs.grant.sim.SimulatedGrantTable;
import org.gntfs.region.FailingBackend;
import org.gntfs.region.RegionTree;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.FuseFileInfo;
import ru.serce.jnrfuse.struct.Statvfs;
import ru.serce.jnrfuse.struct.Timespec;

/**
 * The FUSE adapter without libfuse: a {@link GntFuseFs} over a tree on a simulated table (behind a
 * {@link FailingBackend}), whose callbacks a test calls directly, with libfuse's structs made in
 * native memory as libfuse would pass them (zeroed).
 */
final class InProcessFs implements BeforeEachCallback, AfterEachCallback {
    static final int CALLER_UID = 1000;
    static final int CALLER_GID = 1001;
    /** Larger than any of libfuse 2's structs that the callbacks take. */
    private static final int STRUCT_BYTES = 256;
    private static final Runtime RUNTIME = Runtime.getSystemRuntime();

    private final int limit;
    private Path directory;
    private SimulatedGrantTable table;
    private FailingBackend backend;
    private RegionTree tree;
    private GntFuseFs fs;
    private volatile Caller caller = new Caller(CALLER_UID, CALLER_GID, 1);

    InProcessFs(int limit) {
        this.limit = limit;
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        directory = Files.createTempDirectory("gntfs-fuse-");
        table = SimulatedGrantTable.create(directory, limit);
        backend = new FailingBackend(table);
        tree = new RegionTree(backend, InstantSource.system(), 0, 0, 0, ImmutableMap.of("backend", "sim"), Limits.DEFAULTS);
        // Not mounted there: no process holds anything of it.
        fs = new GntFuseFs(tree, false, directory, () -> caller);
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        backend.recover();
        tree.releaseAll();
        table.close();
        MoreFiles.deleteRecursively(directory, RecursiveDeleteOption.ALLOW_INSECURE);
    }

    GntFuseFs fs() {
        return fs;
    }

    /** Makes the calls from now on come from {@code uid} (the mount's owner is root). */
    void callAs(int uid, int gid) {
        caller = new Caller(uid, gid, 1);
    }

    RegionTree tree() {
        return tree;
    }

    FailingBackend backend() {
        return backend;
    }

    long grantsInUse() {
        return table.usage().used();
    }

    /** What a callback answers for {@code errno}. */
    static int errno(Errno errno) {
        return -errno.intValue();
    }

    static Pointer memory(int bytes) {
        return Memory.allocateDirect(RUNTIME, bytes, true);
    }

    static Pointer memory(String text) {
        byte[] bytes = text.getBytes(UTF_8);
        Pointer memory = memory(Math.max(1, bytes.length));
        memory.put(0, bytes, 0, bytes.length);
        return memory;
    }

    static String text(Pointer memory, int length) {
        byte[] bytes = new byte[length];
        memory.get(0, bytes, 0, length);
        return new String(bytes, UTF_8);
    }

    static FileStat stat() {
        return FileStat.of(memory(STRUCT_BYTES));
    }

    static Statvfs statvfs() {
        return Statvfs.of(memory(STRUCT_BYTES));
    }

    /** A fuse_file_info for an open with these flags (O_RDONLY, O_WRONLY, ...). */
    static FuseFileInfo fileInfo(int flags) {
        FuseFileInfo fi = FuseFileInfo.of(memory(STRUCT_BYTES));
        fi.flags.set(flags);
        return fi;
    }

    static Timespec[] times(long accessed, long modified) {
        Timespec[] times = {Timespec.of(memory(STRUCT_BYTES)), Timespec.of(memory(STRUCT_BYTES))};
        times[0].tv_sec.set(accessed);
        times[1].tv_sec.set(modified);
        return times;
    }

    /** The names readdir gives for {@code path}, or the errno it answers as the only element. */
    List<String> readdir(String path) {
        List<String> names = new ArrayList<>();
        int result = fs.readdir(path, memory(1), (buf, name, stat, offset) -> {
            names.add(cString(name));
            return 0;
        }, 0, fileInfo(0));
        if (result != 0) {
            return List.of("errno " + -result);
        }
        return names;
    }

    private static String cString(ByteBuffer name) {
        byte[] bytes = new byte[name.remaining()];
        name.get(bytes);
        int end = 0;
        while (end < bytes.length && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, 0, end, UTF_8);
    }
}
