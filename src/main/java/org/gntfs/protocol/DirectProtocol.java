package org.gntfs.protocol;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The direct-mapping socket's wire format (docs/direct-mapping.md), both ways: lines of ASCII
 * words. The region is not named: the client opens it through the mount and sends that
 * descriptor, so the kernel's own open decides who may map what.
 *
 * <pre>
 * request:   map v2                  (the region's descriptor travels with this line; on Xen also
 *                                     the client's own descriptor of /dev/xen/gntalloc)
 * answer:    ok SIZE DOMID r|rw N    (the first of the N descriptors travel with this line,
 *            descriptors K            at most 253 a message; each such line carries K more)
 *            segment OFFSET LENGTH DESCRIPTOR DESCRIPTOR-OFFSET
 *            ...
 *            grefs GREF GREF ...
 *            end
 * or:        error ERRNO MESSAGE
 * </pre>
 */
public final class DirectProtocol {
    /** A request is one short line; anything longer is not one. */
    public static final int MAX_REQUEST = 8192;

    /** The request of this version, the one line a client sends. */
    public static final String REQUEST = "map v2";

    private DirectProtocol() {}

    /** What a client is told: an answer or a refusal. */
    public sealed interface Reply permits Answer, Refusal {}

    /**
     * The region mapped: its size, the domain it is granted to, whether for writing, how many
     * descriptors come with the answer, where its pages are in them, and their grefs.
     */
    public record Answer(long size, int domid, boolean write, int descriptors, List<Segment> segments,
            List<Integer> grefs) implements Reply {
        public Answer {
            segments = List.copyOf(segments);
            grefs = List.copyOf(grefs);
        }
    }

    /** The daemon's no, with the errno an open of the same path would have given. */
    public record Refusal(int errno, String message) implements Reply {}

    public static byte[] request() {
        return (REQUEST + "\n").getBytes(UTF_8);
    }

    /** Checks a request line, without its newline. */
    public static void parseRequest(String line) throws WireFormatException {
        if (line.equals(REQUEST)) {
            return;
        }
        if (line.startsWith("map r ") || line.startsWith("map rw ")) {
            throw new WireFormatException("this daemon speaks direct-mapping protocol 2: open the region and send its"
                    + " descriptor with '" + REQUEST + "' (docs/direct-mapping.md); 'map r|rw PATH' is no longer served");
        }
        throw new WireFormatException(String.format("not a request: '%s' (expected '%s')", abbreviate(line), REQUEST));
    }

    /** The first line of an answer, which carries the first descriptors. */
    public static byte[] answerHead(Answer answer) {
        return ("ok " + answer.size() + " " + answer.domid() + " " + access(answer.write()) + " " + answer.descriptors()
                + "\n").getBytes(UTF_8);
    }

    /** The line that carries {@code count} more descriptors. */
    public static byte[] moreDescriptors(int count) {
        return ("descriptors " + count + "\n").getBytes(UTF_8);
    }

    /** The rest of an answer. */
    public static byte[] answerBody(Answer answer) {
        StringBuilder text = new StringBuilder();
        for (Segment segment : answer.segments()) {
            text.append("segment ").append(segment.regionOffset()).append(' ').append(segment.length()).append(' ')
                    .append(segment.descriptor()).append(' ').append(segment.descriptorOffset()).append('\n');
        }
        text.append("grefs");
        answer.grefs().forEach(gref -> text.append(' ').append(gref));
        return text.append("\nend\n").toString().getBytes(UTF_8);
    }

    /** A refusal, on one line whatever its message holds. */
    public static byte[] refusal(Refusal refusal) {
        return ("error " + refusal.errno() + " " + refusal.message().replace('\n', ' ') + "\n").getBytes(UTF_8);
    }

    /** Whether {@code text} holds a whole reply: an error line, or everything up to {@code end}. */
    public static boolean isComplete(String text) {
        return (text.startsWith("error ") && text.endsWith("\n")) || text.endsWith("\nend\n");
    }

    /** Parses a whole reply: an {@link Answer}, or a {@link Refusal} with the daemon's errno and message. */
    public static Reply parseReply(String text) throws WireFormatException {
        List<String> lines = Arrays.stream(text.split("\n")).filter(line -> !line.isEmpty()).toList();
        if (text.startsWith("error ")) {
            String[] error = lines.get(0).split(" ", 3);
            if (error.length == 3 && error[1].matches("\\d{1,4}")) {
                return new Refusal(Integer.parseInt(error[1]), error[2]);
            }
        }
        try {
            String[] head = lines.get(0).split(" ", -1);
            if (!head[0].equals("ok") || head.length != 5 || !lines.get(lines.size() - 1).equals("end")) {
                throw new IllegalArgumentException("no ok ... end");
            }
            List<Segment> segments = new ArrayList<>();
            List<Integer> grefs = List.of();
            for (String line : lines.subList(1, lines.size() - 1)) {
                String[] words = line.split(" ", -1);
                if (words[0].equals("segment") && words.length == 5) {
                    segments.add(new Segment(Long.parseLong(words[1]), Long.parseLong(words[2]),
                            Integer.parseInt(words[3]), Long.parseLong(words[4])));
                } else if (words[0].equals("grefs")) {
                    grefs = Arrays.stream(words, 1, words.length).map(Integer::valueOf).toList();
                }
            }
            return new Answer(Long.parseLong(head[1]), Integer.parseInt(head[2]), head[3].equals("rw"),
                    Integer.parseInt(head[4]), segments, grefs);
        } catch (RuntimeException e) {
            throw new WireFormatException(String.format("not an answer of gntfs: '%s'", abbreviate(text)), e);
        }
    }

    private static String access(boolean write) {
        return write ? "rw" : "r";
    }

    private static String abbreviate(String text) {
        String line = text.replace("\n", "\\n");
        return line.length() > 80 ? line.substring(0, 80) + "..." : line;
    }
}
