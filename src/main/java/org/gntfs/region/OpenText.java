package org.gntfs.region;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.util.Arrays;
import java.util.Iterator;

/**
 * The text of one open of a {@link VirtualFile}, rendered as it is read: a read renders only the
 * lines up to the end it asks for. A few threads serve the whole mount, so rendering a long
 * report whole at open would keep the requests behind it waiting; this way each request
 * does work bounded by its size (at most 128 KiB) and others run between them. What was rendered
 * is kept, so a reader may read any part again.
 */
public final class OpenText {
    private final Iterator<String> lines;
    private byte[] rendered = new byte[256];
    private int size;

    OpenText(Iterator<String> lines) {
        this.lines = lines;
    }

    /** Up to {@code length} bytes at {@code offset}; fewer only at the end of the text. */
    public synchronized byte[] read(long offset, int length) {
        long end = offset + length;
        while (size < end && lines.hasNext()) {
            append(lines.next().getBytes(UTF_8));
        }
        return Arrays.copyOfRange(rendered, (int) Math.min(offset, size), (int) Math.min(end, size));
    }

    private void append(byte[] line) {
        if (size + line.length > rendered.length) {
            rendered = Arrays.copyOf(rendered, Math.max(2 * rendered.length, size + line.length));
        }
        System.arraycopy(line, 0, rendered, size, line.length);
        size += line.length;
    }
}
