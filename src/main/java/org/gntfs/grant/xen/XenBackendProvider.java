package org.gntfs.grant.xen;

import java.nio.file.Files;
import java.nio.file.Path;
import org.gntfs.grant.GrantBackend;
import org.gntfs.grant.GrantBackendProvider;
import org.gntfs.grant.GrantPeer;
import org.gntfs.grant.PoolSettings;

/**
 * Real Xen grants: gntalloc grants the pages, and a peer maps them through gntdev. Its pool is
 * gntalloc's own limit, so it takes nothing from the mount's {@link PoolSettings}.
 */
public final class XenBackendProvider implements GrantBackendProvider {
    /** The {@code --backend} value, which the mount root publishes as {@code user.gnt.backend}. */
    static final String NAME = "xen";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean available() {
        return Files.exists(GntallocDevice.PATH);
    }

    @Override
    public String availableWhen() {
        return "when " + GntallocDevice.PATH + " exists";
    }

    /** Above the simulated table: wherever Xen is, a mount shares real grants. */
    @Override
    public int priority() {
        return 100;
    }

    @Override
    public GrantBackend open(PoolSettings settings) {
        return XenGrantBackend.open();
    }

    /** gntdev maps by domain and gref alone: the mount root's facts are not needed. */
    @Override
    public GrantPeer attachPeer(Path mountPoint, PublishedFacts facts) {
        return GntdevPeer.open();
    }
}
