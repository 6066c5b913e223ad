package org.gntfs.region;

import java.time.Instant;
import java.util.Iterator;
import java.util.function.Function;
import org.gntfs.Fault;
import org.gntfs.GntfsException;

/**
 * A read-only file whose text is taken when it is opened, as /proc's are, for the credentials
 * of the opener, who sees what it may see: {@code .grants}. The open takes what the text shows;
 * its lines are rendered as they are read ({@link OpenText}). It
 * has no pages and no stored attributes, and it refuses every change itself ({@link
 * #checkChangeable}): chmod, chown, times, truncate, unlink, rename from or onto it, attributes.
 * Its size is shown as 0, so a {@code stat} never renders it; readers open it with direct I/O and
 * read the snapshot their open took, to the end, as they read /proc.
 */
public final class VirtualFile extends Node {
    private static final int READ_ONLY = 0444;

    private final Function<Credentials, Iterator<String>> text;

    VirtualFile(long inode, String name, int uid, int gid, Instant now, Function<Credentials, Iterator<String>> text) {
        super(inode, name, READ_ONLY, uid, gid, now);
        this.text = text;
    }

    /** The text as it is now, for one open by {@code opener}; it cannot be opened for writing (EACCES). */
    public OpenText open(boolean write, Credentials opener) {
        if (write) {
            throw GntfsException.of(Fault.ACCESS_DENIED, "%s is read-only", path());
        }
        return new OpenText(text.apply(opener));
    }

    @Override
    void checkChangeable(String change) {
        throw GntfsException.of(Fault.NOT_PERMITTED, "%s is read-only: cannot %s it", path(), change);
    }
}
