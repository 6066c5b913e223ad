package org.gntfs.protocol;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

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

    private static final String PATH_SPECIALS = "\n\t";

    private DirectProtocol() {}

    /** What a client asks: a region, by its path under the mount root, and whether it will write. */
    public record Request(String path, boolean write) {}

    /** What a client is told: an answer or a refusal. */
    public sealed interface Reply permits Answer, Refusal {}

    /** The region mapped: its size, the domain it is granted to, where its pages are, and their grefs. */
    public record Answer(long size, int domid, boolean write, List<Segment> segments, List<Integer> grefs)
            implements Reply {
        public Answer {
            segments = List.copyOf(segments);
            grefs = List.copyOf(grefs);
        }
    }

    /** The daemon's no, with the errno an open of the same path would have given. */
    public record Refusal(int errno, String message) implements Reply {}

    public static byte[] request(Request request) {
        return ("map " + access(request.write()) + " " + OctalEscape.escape(request.path(), PATH_SPECIALS) + "\n")
                .getBytes(UTF_8);
    }

    /** Parses a request line, without its newline. */
    public static Request parseRequest(String line) throws WireFormatException {
        String[] words = line.split(" ", 3);
        if (words.length != 3 || !words[0].equals("map") || !(words[1].equals("r") || words[1].equals("rw"))) {
            throw new WireFormatException(
                    String.format("not a request: '%s' (expected 'map r|rw PATH')", abbreviate(line)));
        }
        return new Request(OctalEscape.unescape(words[2]), words[1].equals("rw"));
    }

    /** The first line of an answer, which carries the descriptor. */
    public static byte[] answerHead(Answer answer) {
        return ("ok " + answer.size() + " " + answer.domid() + " " + access(answer.write()) + "\n").getBytes(UTF_8);
    }

    /** The rest of an answer. */
    public static byte[] answerBody(Answer answer) {
        StringBuilder text = new StringBuilder();
        for (Segment segment : answer.segments()) {
            text.append("segment ").append(segment.regionOffset()).append(' ').append(segment.length()).append(' ')
                    .append(segment.descriptorOffset()).append('\n');
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
            if (!head[0].equals("ok") || head.length != 4 || !lines.get(lines.size() - 1).equals("end")) {
                throw new IllegalArgumentException("no ok ... end");
            }
            List<Segment> segments = new ArrayList<>();
            List<Integer> grefs = List.of();
            for (String line : lines.subList(1, lines.size() - 1)) {
                String[] words = line.split(" ", -1);
                if (words[0].equals("segment") && words.length == 4) {
                    segments.add(new Segment(Long.parseLong(words[1]), Long.parseLong(words[2]), Long.parseLong(words[3])));
                } else if (words[0].equals("grefs")) {
                    grefs = Arrays.stream(words, 1, words.length).map(Integer::valueOf).toList();
                }
            }
            return new Answer(Long.parseLong(head[1]), Integer.parseInt(head[2]), head[3].equals("rw"), segments, grefs);
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
