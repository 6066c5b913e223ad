package org.gntfs.region;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.google.common.base.CharMatcher;
import com.google.common.base.Joiner;
import com.google.common.collect.ImmutableList;
import com.google.common.primitives.Ints;
import java.util.function.BiConsumer;
import org.gntfs.Fault;
import org.gntfs.GntfsException;
import org.gntfs.grant.Domids;
import org.jspecify.annotations.Nullable;

/**
 * The extended attributes of the tree's nodes. The {@code user.gnt.*} names expose a region's
 * grant (domid, writable, grefs, notify) and a directory's grant defaults; the mount root also
 * shows read-only facts about the backend; any other {@code user.*} name is stored.
 */
public final class Xattrs {
    public static final String DOMID = "user.gnt.domid";
    public static final String WRITABLE = "user.gnt.writable";
    public static final String GREFS = "user.gnt.grefs";
    public static final String NOTIFY = "user.gnt.notify";


    public static final int XATTR_CREATE = 1;
    public static final int XATTR_REPLACE = 2;

    private static final ImmutableList<String> REGION_NAMES = ImmutableList.of(DOMID, WRITABLE, GREFS, NOTIFY);
    private static final String USER_PREFIX = "user.";
    private static final String MOUNT_PREFIX = "user.gnt.";
    private static final int MAX_NAME_BYTES = 255;
    private static final CharMatcher TRAILING_JUNK = CharMatcher.anyOf("\n\0");

    private final RegionTree tree;
    private final int mountOwnerUid;

    /**
     * Made before the mount starts, when the root directory still has the uid the daemon gave it:
     * its own, which is the mount's owner.
     */
    public Xattrs(RegionTree tree) {
        this.tree = tree;
        this.mountOwnerUid = tree.root().uid();
    }

    /**
     * Names that are never stored, answered "no such attribute" before any lookup. The kernel asks
     * for {@code security.capability} before every write, so this must cost nothing.
     */
    public static boolean isAlwaysAbsent(String name) {
        return !name.startsWith(USER_PREFIX);
    }

    public byte[] get(Node node, String name) {
        if (isAlwaysAbsent(name)) {
            throw absent(name);
        }
        String value = computed(node, name);
        if (value != null) {
            byte[] bytes = value.getBytes(UTF_8);
            if (bytes.length > ExtendedAttributes.MAX_VALUE_BYTES) {
                throw GntfsException.of(
                        Fault.TOO_BIG, "%s is %d bytes, over the %d an attribute can carry; read .grants instead",
                        name, bytes.length, ExtendedAttributes.MAX_VALUE_BYTES);
            }
            return bytes;
        }
        return node.userAttributes().get(name);
    }

    public ImmutableList<String> list(Node node) {
        ImmutableList.Builder<String> names = ImmutableList.builder();
        for (String name : computedNames(node)) {
            if (computed(node, name) != null) {
                names.add(name);
            }
        }
        return names.addAll(node.userAttributes().names()).build();
    }

    public void set(Node node, String name, byte[] value, int flags) {
        node.checkChangeable("set attributes on");
        checkSettable(name);
        boolean exists = exists(node, name);
        if ((flags & XATTR_CREATE) != 0 && exists) {
            throw GntfsException.of(Fault.ALREADY_EXISTS, "%s exists", name);
        }
        if ((flags & XATTR_REPLACE) != 0 && !exists) {
            throw absent(name);
        }
        if (isManaged(node, name)) {
            setManaged(node, name, TRAILING_JUNK.trimTrailingFrom(new String(value, UTF_8)));
        } else if (isReserved(name)) {
            // Stored, user.gnt.grefs on a directory would pass for a grant, and a forged
            // user.gnt.table for the mount's own.
            throw GntfsException.of(Fault.NOT_PERMITTED, "%s has no meaning on %s", name, node.path());
        } else {
            node.userAttributes().put(name, value, tree.attributeUsage(), node::uid);
        }
    }

    /** The names gntfs gives a meaning, on some node of this mount. */
    private boolean isReserved(String name) {
        return REGION_NAMES.contains(name) || computedNames(tree.root()).contains(name);
    }

    /**
     * Only the owner, or root, may change a node's {@code user.gnt.*}: the kernel lets whoever may
     * write a file set its {@code user.*} attributes, but these decide which domain receives the
     * pages, which is no less than chown.
     */
    public void checkMayChange(Node node, String name, int callerUid) {
        if (name.startsWith(MOUNT_PREFIX) && callerUid != 0 && callerUid != node.uid()) {
            throw GntfsException.of(Fault.NOT_PERMITTED, "only the owner of %s may change %s", node.path(), name);
        }
    }

    /**
     * {@link #checkMayChange}, and an event port may be named only by root and the mount's owner:
     * the daemon signals it when the region goes, and on Xen a port is any program's event channel
     * (a vchan's, say), not the region's. Clearing the byte of one's own region stays open to its
     * owner, and so does removing a notification.
     */
    public void checkMaySet(Node node, String name, byte[] value, int callerUid) {
        checkMayChange(node, name, callerUid);
        if (name.equals(NOTIFY) && node instanceof Region && callerUid != 0 && callerUid != mountOwnerUid
                && parseNotify(value).eventPort() >= 0) {
            throw GntfsException.of(
                    Fault.NOT_PERMITTED, "only root or the mount's owner may name an event port, as on %s", node.path());
        }
    }

    private static RegionNotify parseNotify(byte[] value) {
        return RegionNotify.parse(TRAILING_JUNK.trimTrailingFrom(new String(value, UTF_8)));
    }

    public void remove(Node node, String name) {
        node.checkChangeable("remove attributes of");
        if (isAlwaysAbsent(name)) {
            throw absent(name);
        }
        if (!isManaged(node, name)) {
            node.userAttributes().remove(name, tree.attributeUsage(), node::uid);
        } else if (node instanceof Region region && name.equals(NOTIFY)) {
            region.setNotify(RegionNotify.NONE);
        } else if (node instanceof Directory directory && name.equals(DOMID) && computed(node, name) != null) {
            directory.setDefaultDomid(null);
        } else if (node instanceof Directory directory && name.equals(WRITABLE) && computed(node, name) != null) {
            directory.setDefaultWritable(null);
        } else {
            throw GntfsException.of(Fault.NOT_PERMITTED, "%s cannot be removed", name);
        }
    }

    private boolean exists(Node node, String name) {
        return isManaged(node, name) ? computed(node, name) != null : node.userAttributes().contains(name);
    }

    /** Whether the name has a meaning here rather than being stored as given. */
    private boolean isManaged(Node node, String name) {
        return computedNames(node).contains(name);
    }

    private ImmutableList<String> computedNames(Node node) {
        if (node instanceof Region) {
            return REGION_NAMES;
        }
        if (!(node instanceof Directory)) {
            // Virtual files, symbolic links and special files hold no grant and give none.
            return ImmutableList.of();
        }
        ImmutableList.Builder<String> names = ImmutableList.<String>builder().add(DOMID, WRITABLE);
        if (node == tree.root()) {
            tree.mountProperties().keySet().forEach(key -> names.add(MOUNT_PREFIX + key));
        }
        return names.build();
    }

    private @Nullable String computed(Node node, String name) {
        if (node instanceof Region region) {
            return switch (name) {
                case DOMID -> Integer.toString(region.domid());
                case WRITABLE -> region.writable() ? "1" : "0";
                case GREFS -> Joiner.on(' ').join(region.grefs().asList());
                case NOTIFY -> region.notifySpec().format();
                default -> null;
            };
        }
        if (!(node instanceof Directory directory)) {
            return null;
        }
        boolean isRoot = directory == tree.root();
        switch (name) {
            case DOMID:
                Integer domid = directory.defaultDomid();
                return domid != null ? domid.toString() : isRoot ? Integer.toString(tree.mountDomid()) : null;
            case WRITABLE:
                Boolean writable = directory.defaultWritable();
                return writable != null ? (writable ? "1" : "0") : isRoot ? "1" : null;
            default:
                if (isRoot && name.startsWith(MOUNT_PREFIX)) {
                    return tree.mountProperties().get(name.substring(MOUNT_PREFIX.length()));
                }
                return null;
        }
    }

    private void setManaged(Node node, String name, String value) {
        switch (name) {
            case DOMID -> applyTo(node, parseDomid(value), Region::setDomid, Directory::setDefaultDomid);
            case WRITABLE -> applyTo(node, parseWritable(value), Region::setWritable, Directory::setDefaultWritable);
            case NOTIFY -> ((Region) node).setNotify(RegionNotify.parse(value));
            default -> throw GntfsException.of(Fault.NOT_PERMITTED, "%s is read-only", name);
        }
    }

    private static <T> void applyTo(
            Node node, T value, BiConsumer<Region, T> onRegion, BiConsumer<Directory, T> onDirectory) {
        if (node instanceof Region region) {
            onRegion.accept(region, value);
        } else {
            onDirectory.accept((Directory) node, value);
        }
    }

    private static int parseDomid(String value) {
        Integer domid = CharMatcher.inRange('0', '9').matchesAllOf(value) ? Ints.tryParse(value) : null;
        if (domid == null || !Domids.isOrdinary(domid)) {
            throw GntfsException.of(
                    Fault.INVALID_ARGUMENT, "domid '%s' is not a number from 0 to %d", value, Domids.FIRST_RESERVED - 1);
        }
        return domid;
    }

    private static boolean parseWritable(String value) {
        return switch (value) {
            case "1" -> true;
            case "0" -> false;
            default -> throw GntfsException.of(Fault.INVALID_ARGUMENT, "writable '%s' is neither 1 nor 0", value);
        };
    }

    private static void checkSettable(String name) {
        if (isAlwaysAbsent(name)) {
            throw GntfsException.of(Fault.NOT_SUPPORTED, "only user.* attributes can be set, not %s", name);
        }
        if (name.length() == USER_PREFIX.length()) {
            throw GntfsException.of(Fault.INVALID_ARGUMENT, "an attribute needs a name after 'user.'");
        }
        if (name.getBytes(UTF_8).length > MAX_NAME_BYTES) {
            throw GntfsException.of(Fault.OUT_OF_RANGE, "attribute names are at most %d bytes", MAX_NAME_BYTES);
        }
        // Names reach us decoded as UTF-8, malformed bytes as U+FFFD: such names would collide.
        if (name.indexOf('\uFFFD') >= 0) {
            throw GntfsException.of(Fault.NAME_NOT_UTF8, "an attribute name is not valid UTF-8 (or holds U+FFFD)");
        }
    }

    private static GntfsException absent(String name) {
        return GntfsException.of(Fault.NO_SUCH_ATTRIBUTE, "no attribute %s", name);
    }
}
