package org.gntfs.region;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.google.common.base.Splitter;
import org.gntfs.Fault;
import org.gntfs.GntfsException;
import org.jspecify.annotations.Nullable;

/**
 * Paths walked through a tree from its root: absolute, '/'-separated, as FUSE gives them, each
 * name checked as tmpfs would (length) and as gntfs must (valid UTF-8). The caller holds the
 * tree's lock.
 */
final class TreePaths {
    /** The longest name, in UTF-8 bytes, as on tmpfs. */
    static final int NAME_MAX = 255;

    private static final char REPLACEMENT_CHARACTER = '\uFFFD';
    private static final Splitter PATH = Splitter.on('/').omitEmptyStrings();

    private TreePaths() {}

    static Node resolve(Directory root, String path) {
        Node node = root;
        for (String name : PATH.split(path)) {
            checkName(name);
            Node child = asDirectory(node, path).child(name);
            if (child == null) {
                throw GntfsException.of(Fault.NOT_FOUND, "%s does not exist", path);
            }
            node = child;
        }
        return node;
    }

    static Directory parentOf(Directory root, String path) {
        int slash = path.lastIndexOf('/');
        if (slash < 0 || lastName(path).isEmpty()) {
            throw GntfsException.of(Fault.INVALID_ARGUMENT, "%s names no entry", path);
        }
        return asDirectory(resolve(root, path.substring(0, slash)), path);
    }

    /** The last name of {@code path}, checked and not yet taken in {@code parent}. */
    static String newName(Directory parent, String path) {
        String name = lastName(path);
        checkName(name);
        if (parent.child(name) != null) {
            throw GntfsException.of(Fault.ALREADY_EXISTS, "%s exists", path);
        }
        return name;
    }

    /** The last component of a path. */
    static String lastName(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    static void checkName(String name) {
        if (name.getBytes(UTF_8).length > NAME_MAX) {
            throw GntfsException.of(Fault.NAME_TOO_LONG, "a name is longer than %d bytes", NAME_MAX);
        }
        // Paths reach us decoded as UTF-8, every malformed byte turned into U+FFFD: names that
        // differ only there would be one node. Refusing them keeps names distinct.
        if (name.indexOf(REPLACEMENT_CHARACTER) >= 0) {
            throw GntfsException.of(Fault.NAME_NOT_UTF8, "a name is not valid UTF-8 (or holds U+FFFD)");
        }
    }

    static Directory asDirectory(Node node, String path) {
        if (node instanceof Directory directory) {
            return directory;
        }
        throw GntfsException.of(Fault.NOT_A_DIRECTORY, "a component of %s is not a directory", path);
    }

    static boolean isWithin(@Nullable Directory candidate, Directory ancestor) {
        for (Directory up = candidate; up != null; up = up.parent()) {
            if (up == ancestor) {
                return true;
            }
        }
        return false;
    }
}
