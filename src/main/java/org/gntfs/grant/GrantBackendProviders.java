package org.gntfs.grant;

import static com.google.common.base.Preconditions.checkState;
import static com.google.common.collect.ImmutableList.toImmutableList;

import com.google.common.base.Suppliers;
import com.google.common.collect.ImmutableList;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.function.Supplier;
import org.gntfs.Fault;
import org.gntfs.GntfsException;

/** The grant backends of this build, as {@link java.util.ServiceLoader} finds their providers. */
public final class GrantBackendProviders {
    /** The {@code --backend} choice that takes the available backend of highest priority. */
    public static final String AUTO = "auto";

    private static final Supplier<ImmutableList<GrantBackendProvider>> ALL = Suppliers.memoize(() -> {
        ImmutableList<GrantBackendProvider> providers =
                ServiceLoader.load(GrantBackendProvider.class, GrantBackendProvider.class.getClassLoader()).stream()
                        .map(ServiceLoader.Provider::get)
                        .sorted(Comparator.comparing(GrantBackendProvider::name))
                        .collect(toImmutableList());
        checkState(!providers.isEmpty(), "no grant backend is registered in META-INF/services");
        return providers;
    });

    private GrantBackendProviders() {}

    /** Every backend, by name. */
    public static ImmutableList<GrantBackendProvider> all() {
        return ALL.get();
    }

    /** Every backend, highest {@link GrantBackendProvider#priority} first. */
    public static ImmutableList<GrantBackendProvider> byPriority() {
        return all().stream()
                .sorted(Comparator.comparingInt(GrantBackendProvider::priority).reversed())
                .collect(toImmutableList());
    }

    public static Optional<GrantBackendProvider> named(String name) {
        return all().stream().filter(provider -> provider.name().equals(name)).findFirst();
    }

    /**
     * Attaches a foreign domain to the pool of the mount at {@code mountPoint}, through the backend
     * that the mount root names as {@code user.gnt.backend}.
     */
    public static GrantPeer attachPeer(Path mountPoint, GrantBackendProvider.PublishedFacts facts) throws IOException {
        String backend = facts.read("backend");
        return named(backend)
                .orElseThrow(() -> GntfsException.of(Fault.NOT_SUPPORTED, "no peer for the %s backend in this build", backend))
                .attachPeer(mountPoint, facts);
    }

    /** What {@code --backend auto} takes: the available backend of highest priority. */
    public static GrantBackendProvider auto() {
        return byPriority().stream()
                .filter(GrantBackendProvider::available)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no grant backend is available on this machine"));
    }
}
