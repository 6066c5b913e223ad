package org.gntfs.fuse;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.gntfs.region.Region;
import org.jspecify.annotations.Nullable;

/**
 * The {@code .fuse_hidden*} names libfuse 2 gives an open file that is unlinked or renamed over:
 * it renames the file to such a name, and unlinks that name after the last release. The region
 * is unlinked from the tree at the rename, so the name is never listed; it is kept here, keyed by
 * the name alone (its directory may be renamed or removed meanwhile), until libfuse lets go.
 */
final class HiddenNames {
    private static final String PREFIX = ".fuse_hidden";

    private final Map<String, Region> byName = new ConcurrentHashMap<>();

    /** Whether a rename to {@code name} is libfuse hiding {@code region}, not a user's rename. */
    static boolean isHiding(String name, Region region) {
        // libfuse hides only open files; a user may name a closed file anything.
        return name.startsWith(PREFIX) && region.isHeld();
    }

    void hide(String name, Region region) {
        byName.put(name, region);
    }

    @Nullable
    Region get(String name) {
        return name.startsWith(PREFIX) ? byName.get(name) : null;
    }

    /** libfuse's final unlink of a hidden name; whether the name was one. */
    boolean forget(String name) {
        return byName.remove(name) != null;
    }

    /** Forgets a released region that libfuse can no longer name, and so will never unlink. */
    void forget(Region region) {
        byName.values().remove(region);
    }
}
