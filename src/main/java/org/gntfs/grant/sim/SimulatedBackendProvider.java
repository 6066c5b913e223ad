package org.gntfs.grant.sim;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.gntfs.Fault;
import org.gntfs.GntfsException;
import org.gntfs.grant.GrantBackend;
import org.gntfs.grant.GrantBackendProvider;
import org.gntfs.grant.GrantPeer;
import org.gntfs.grant.PoolSettings;

/**
 * The simulated grant table: works on any Linux machine, so {@code --backend auto} falls back to
 * it. A peer finds the table by the {@code table} fact of the mount root.
 */
public final class SimulatedBackendProvider implements GrantBackendProvider {
    /** The {@code --backend} value, which the mount root publishes as {@code user.gnt.backend}. */
    static final String NAME = "sim";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean available() {
        return true;
    }

    @Override
    public String availableWhen() {
        return "";
    }

    /** The lowest: only where no real backend is. */
    @Override
    public int priority() {
        return 0;
    }

    @Override
    public GrantBackend open(PoolSettings settings) throws IOException {
        return SimulatedGrantTable.create(settings.tableDirectory(), settings.limit());
    }

    @Override
    public GrantPeer attachPeer(Path mountPoint, PublishedFacts facts) throws IOException {
        Path table = Path.of(facts.read(SimulatedGrantTable.TABLE_FACT));
        // The table is the daemon's owner-only file; say so rather than print a bare EACCES.
        if (!Files.isReadable(table) || !Files.isWritable(table)) {
            throw GntfsException.of(Fault.ACCESS_DENIED,
                    "only root or the user that mounted %s may act as its peer (%s is theirs alone)",
                    mountPoint, table);
        }
        return SimulatedPeer.attach(table);
    }
}
