package org.gntfs.engine.session;

import java.nio.ByteBuffer;
import org.gntfs.engine.abi.Dirent;
import org.gntfs.engine.abi.EntryOut;
import org.gntfs.engine.abi.Timeout;
import org.jspecify.annotations.Nullable;

/**
 * Fills a READDIR or READDIRPLUS reply, entry by entry, until the kernel's buffer is full. Each
 * entry carries the cookie of the one after it, which the kernel sends back as the offset of the
 * next READDIR: cookies must be stable positions, and never 0.
 */
public final class DirectoryFill {
    private final ByteBuffer buffer;
    private final int start;
    private final Timeout entryTimeout;
    private final Timeout attrTimeout;
    private int end;
    private int used;
    private boolean plus;

    DirectoryFill(ByteBuffer buffer, int start, Timeout entryTimeout, Timeout attrTimeout) {
        this.buffer = buffer;
        this.start = start;
        this.entryTimeout = entryTimeout;
        this.attrTimeout = attrTimeout;
    }

    void reset(int size, boolean plus) {
        this.end = start + size;
        this.used = start;
        this.plus = plus;
    }

    /** Whether this is READDIRPLUS: entries carry their attributes, and each named node counts a lookup. */
    public boolean plus() {
        return plus;
    }

    /** Adds a READDIR entry; false if it does not fit (the listing resumes there next time). */
    public boolean add(byte[] name, long ino, int mode, long nextCookie) {
        int size = Dirent.size(name.length);
        if (used + size > end) {
            return false;
        }
        Dirent.put(buffer, used, ino, nextCookie, mode, name);
        used += size;
        return true;
    }

    /**
     * Adds a READDIRPLUS entry and gives its {@link EntryOut} to fill (node id 0: no attributes, no
     * lookup), or null if it does not fit. A filled-in node id counts as a lookup.
     */
    public @Nullable EntryOut addPlus(byte[] name, long ino, int mode, long nextCookie) {
        int size = Dirent.plusSize(name.length);
        if (used + size > end) {
            return null;
        }
        EntryOut entry = new EntryOut(buffer, used);
        entry.node(0, 0).validity(entryTimeout, attrTimeout).attr().clear();
        Dirent.put(buffer, used + EntryOut.SIZE, ino, nextCookie, mode, name);
        used += size;
        return entry;
    }

    int length() {
        return used - start;
    }
}
