package org.gntfs.grant;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.gntfs.grant.sim.SimulatedGrantTable;
import org.gntfs.grant.xen.XenGrantBackend;

/** Chooses and opens the grant backend a mount asks for. */
public final class Backends {
    /** The device through which a Linux domain on Xen grants its own pages. */
    public static final Path GNTALLOC = Path.of("/dev/xen/gntalloc");

    /** The choices of {@code --backend}. */
    public enum Kind {
        AUTO,
        SIM,
        XEN;

        /** AUTO resolved: Xen wherever gntalloc exists, the simulated table elsewhere. */
        public Kind resolve() {
            if (this != AUTO) {
                return this;
            }
            return Files.exists(GNTALLOC) ? XEN : SIM;
        }
    }

    private Backends() {}

    /**
     * Opens a backend of {@code kind}; the simulated table gets a pool of {@code limit} grants, while
     * Xen's pool is gntalloc's own limit.
     *
     * @param tableDirectory where the simulated table's file goes
     */
    public static GrantBackend open(Kind kind, int limit, Path tableDirectory) throws IOException {
        return switch (kind.resolve()) {
            case SIM -> SimulatedGrantTable.create(tableDirectory, limit);
            case XEN -> XenGrantBackend.open();
            case AUTO -> throw new AssertionError("AUTO resolves to a concrete backend");
        };
    }
}
