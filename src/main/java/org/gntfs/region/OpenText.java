package org.gntfs.region;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.gntfs.nativeio.Posix;

/**
 * The text of one open of a {@link VirtualFile}, rendered as it is read: a read renders only the
 * lines up to the end it asks for, so one request never renders a long report whole while the
 * requests behind it wait, and a reader that stops early costs only what it read. What was
 * rendered is kept, so a reader may read any part again.
 *
 * <p>The text is kept in chunks of {@value #CHUNK} bytes that never move: a long report grows by
 * one chunk at a time, never by copying all of it into a buffer twice its size, and a read copies
 * straight from the chunks to the caller's memory. Both matter when the heap is nearly full, where
 * a report must still be readable.
 */
public final class OpenText {
    private static final int CHUNK = 64 * 1024;

    private final Iterator<String> lines;
    private final List<byte[]> chunks = new ArrayList<>();
    private long size;

    OpenText(Iterator<String> lines) {
        this.lines = lines;
    }

    /** Copies up to {@code length} bytes at {@code offset} to native {@code address}; fewer only at the end. */
    public synchronized int read(long offset, long address, int length) {
        return copy(offset, renderTo(offset, length),
                (chunk, from, n, done) -> Posix.MEMORY.putByteArray(address + done, chunk, from, n));
    }

    /** Up to {@code length} bytes at {@code offset}; fewer only at the end of the text. */
    public synchronized byte[] read(long offset, int length) {
        byte[] out = new byte[renderTo(offset, length)];
        copy(offset, out.length, (chunk, from, n, done) -> System.arraycopy(chunk, from, out, done, n));
        return out;
    }

    private interface Sink {
        void put(byte[] chunk, int from, int n, int done);
    }

    /** Hands the {@code copied} rendered bytes at {@code offset} to {@code sink}, a chunk's part at a time. */
    private int copy(long offset, int copied, Sink sink) {
        for (int done = 0; done < copied; ) {
            long at = offset + done;
            int inChunk = (int) (at % CHUNK);
            int n = Math.min(CHUNK - inChunk, copied - done);
            sink.put(chunks.get((int) (at / CHUNK)), inChunk, n, done);
            done += n;
        }
        return copied;
    }

    /** Renders lines until {@code offset + length} or the end; returns how many bytes there are to copy. */
    private int renderTo(long offset, int length) {
        long end = offset + length;
        while (size < end && lines.hasNext()) {
            append(lines.next().getBytes(UTF_8));
        }
        return (int) Math.max(0, Math.min(end, size) - offset);
    }

    private void append(byte[] line) {
        for (int done = 0; done < line.length; ) {
            int inChunk = (int) (size % CHUNK);
            if (inChunk == 0) {
                chunks.add(new byte[CHUNK]);
            }
            int n = Math.min(CHUNK - inChunk, line.length - done);
            System.arraycopy(line, done, chunks.get(chunks.size() - 1), inChunk, n);
            done += n;
            size += n;
        }
    }
}
