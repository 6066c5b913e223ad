package org.gntfs.direct;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.google.common.base.Splitter;
import com.google.common.collect.ImmutableList;
import com.google.common.primitives.ImmutableIntArray;
import java.io.ByteArrayOutputStream;
import java.util.List;
import org.gntfs.Fault;
import org.gntfs.GntfsException;
import org.gntfs.region.DirectMapping;
import org.gntfs.region.DirectMapping.Segment;

/**
 * The direct-mapping socket's wire format (docs/direct-mapping.md), both ways. Lines of ASCII
 * words; a path is the one field that may hold any byte, so a backslash, a newline or a tab in
 * it is written as three octal digits after a backslash, as {@code .grants} writes them.
 *
 * <pre>
 * request:   map r|rw PATH
 * answer:    ok SIZE DOMID r|rw      (the descriptor travels with this line)
 *            segment OFFSET LENGTH DESCRIPTOR-OFFSET
 *            ...
 *            grefs GREF GREF ...
 *            end
 * or:        error ERRNO MESSAGE
 * </pre>
 */
public final class DirectProtocol {
    /** A request is one short line; anything longer is not one. */
    public static final int MAX_REQUEST = 8192;

    private static final Splitter WORDS = Splitter.on(' ');

    private DirectProtocol() {}

    /** What a client asks: a region, by its path under the mount root, and whether it will write. */
    public record Request(String path, boolean write) {}

    /** What a client is told. */
    public record Answer(long size, int domid, boolean write, ImmutableList<Segment> segments, ImmutableIntArray grefs) {}

    public static byte[] request(String path, boolean write) {
        return ("map " + access(write) + " " + escape(path) + "\n").getBytes(UTF_8);
    }

    /** Parses a request line, without its newline. */
    public static Request parseRequest(String line) {
        List<String> words = Splitter.on(' ').limit(3).splitToList(line);
        if (words.size() != 3 || !words.get(0).equals("map") || !(words.get(1).equals("r") || words.get(1).equals("rw"))) {
            throw GntfsException.of(Fault.INVALID_ARGUMENT, "not a request: '%s' (expected 'map r|rw PATH')", abbreviate(line));
        }
        return new Request(unescape(words.get(2)), words.get(1).equals("rw"));
    }

    /** The first line of an answer, which carries the descriptor. */
    public static byte[] answerHead(DirectMapping mapping) {
        return ("ok " + mapping.size() + " " + mapping.domid() + " " + access(mapping.write()) + "\n").getBytes(UTF_8);
    }

    /** The rest of an answer. */
    public static byte[] answerBody(DirectMapping mapping) {
        StringBuilder text = new StringBuilder();
        for (Segment segment : mapping.segments()) {
            text.append("segment ").append(segment.regionOffset()).append(' ').append(segment.length()).append(' ')
                    .append(segment.descriptorOffset()).append('\n');
        }
        text.append("grefs");
        mapping.grefs().forEach(gref -> text.append(' ').append(gref));
        return text.append("\nend\n").toString().getBytes(UTF_8);
    }

    public static byte[] error(int errno, String message) {
        return ("error " + errno + " " + message.replace('\n', ' ') + "\n").getBytes(UTF_8);
    }

    /** Whether {@code text} holds a whole answer: an error line, or everything up to {@code end}. */
    public static boolean isComplete(String text) {
        return (text.startsWith("error ") && text.endsWith("\n")) || text.endsWith("\nend\n");
    }

    /**
     * Parses a whole answer.
     *
     * @throws DirectMapException for an error answer, with the daemon's errno and message
     */
    public static Answer parseAnswer(String text) throws DirectMapException {
        List<String> lines = Splitter.on('\n').omitEmptyStrings().splitToList(text);
        if (text.startsWith("error ")) {
            List<String> error = WORDS.limit(3).splitToList(lines.get(0));
            if (error.size() == 3 && error.get(1).matches("\\d{1,4}")) {
                throw new DirectMapException(Integer.parseInt(error.get(1)), error.get(2));
            }
        }
        try {
            List<String> head = WORDS.splitToList(lines.get(0));
            if (!head.get(0).equals("ok") || head.size() != 4 || !lines.get(lines.size() - 1).equals("end")) {
                throw new IllegalArgumentException("no ok ... end");
            }
            ImmutableList.Builder<Segment> segments = ImmutableList.builder();
            ImmutableIntArray grefs = ImmutableIntArray.of();
            for (String line : lines.subList(1, lines.size() - 1)) {
                List<String> words = WORDS.splitToList(line);
                if (words.get(0).equals("segment") && words.size() == 4) {
                    segments.add(new Segment(Long.parseLong(words.get(1)), Long.parseLong(words.get(2)), Long.parseLong(words.get(3))));
                } else if (words.get(0).equals("grefs")) {
                    grefs = ImmutableIntArray.copyOf(words.subList(1, words.size()).stream().mapToInt(Integer::parseInt).toArray());
                }
            }
            return new Answer(Long.parseLong(head.get(1)), Integer.parseInt(head.get(2)), head.get(3).equals("rw"),
                    segments.build(), grefs);
        } catch (RuntimeException e) {
            throw GntfsException.causedBy(Fault.IO_ERROR, e, "not an answer of gntfs: '%s'", abbreviate(text));
        }
    }

    private static String access(boolean write) {
        return write ? "rw" : "r";
    }

    static String escape(String path) {
        StringBuilder escaped = new StringBuilder(path.length());
        for (char c : path.toCharArray()) {
            if (c == '\\' || c == '\n' || c == '\t') {
                escaped.append(String.format("\\%03o", (int) c));
            } else {
                escaped.append(c);
            }
        }
        return escaped.toString();
    }

    static String unescape(String field) {
        byte[] bytes = field.getBytes(UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length);
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\\' && isOctal(bytes, i + 1)) {
                out.write(Integer.parseInt(new String(bytes, i + 1, 3, UTF_8), 8));
                i += 3;
            } else {
                out.write(bytes[i]);
            }
        }
        return out.toString(UTF_8);
    }

    private static boolean isOctal(byte[] bytes, int from) {
        for (int i = from; i < from + 3; i++) {
            if (i >= bytes.length || bytes[i] < '0' || bytes[i] > '7') {
                return false;
            }
        }
        return true;
    }

    private static String abbreviate(String text) {
        String line = text.replace("\n", "\\n");
        return line.length() > 80 ? line.substring(0, 80) + "..." : line;
    }
}
