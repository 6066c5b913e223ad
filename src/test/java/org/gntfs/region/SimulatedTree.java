package org.gntfs.region;

import com.google.common.collect.ImmutableMap;
import com.google.common.io.MoreFiles;
import com.google.common.io.RecursiveDeleteOption;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import org.gntfs.Limits;
import org.gntfs.grant.sim.SimulatedGrantTable;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** A fresh tree over a simulated table of its own for each test, at a fixed time, released after it. */
final class SimulatedTree implements BeforeEachCallback, AfterEachCallback {
    static final Instant T0 = Instant.parse("2026-01-02T03:04:05Z");

    private final int limit;
    private final int mountDomid;
    private final int rootUid;
    private final int rootGid;
    private final Limits limits;
    private Path directory;
    private SimulatedGrantTable table;
    private RegionTree tree;

    SimulatedTree(int limit, int mountDomid, int rootUid, int rootGid) {
        this(limit, mountDomid, rootUid, rootGid, Limits.DEFAULTS);
    }

    SimulatedTree(int limit, int mountDomid, int rootUid, int rootGid, Limits limits) {
        this.limit = limit;
        this.mountDomid = mountDomid;
        this.rootUid = rootUid;
        this.rootGid = rootGid;
        this.limits = limits;
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        directory = Files.createTempDirectory("gntfs-tree-");
        table = SimulatedGrantTable.create(directory, limit);
        tree = new RegionTree(
                table, InstantSource.fixed(T0), mountDomid, rootUid, rootGid, ImmutableMap.of("backend", "sim"), limits);
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        tree.releaseAll();
        table.close();
        MoreFiles.deleteRecursively(directory, RecursiveDeleteOption.ALLOW_INSECURE);
    }

    SimulatedGrantTable table() {
        return table;
    }

    RegionTree tree() {
        return tree;
    }
}
