package org.gntfs.protocol;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The text of the virtual {@code .grants} file at a mount's root: a header line, then one
 * tab-separated line per live region: path, domid, pages, {@code rw} or {@code ro}, how many
 * direct mappings hold it, and the grefs as comma-separated runs ({@code 8-11,20}). A region
 * unlinked but still open shows its last path and " (deleted)". Tabs, newlines and backslashes in
 * paths are written as octal escapes, as in /proc/mounts.
 */
public final class GrantsFile {
    public static final String NAME = ".grants";
    public static final String HEADER = "path\tdomid\tpages\taccess\tdirect\tgrefs";
    private static final String DELETED = " (deleted)";
    private static final String PATH_SPECIALS = "\t\n";

    private GrantsFile() {}

    /**
     * One line of the report. {@code path} is as the report shows it, so " (deleted)" ends it once
     * the region is unlinked.
     */
    public record Line(String path, int domid, long pages, boolean writable, int direct, List<Integer> grefs) {
        public Line {
            grefs = List.copyOf(grefs);
        }

        /** The line of a live region, linked at {@code path} or last seen there. */
        public static Line of(String path, boolean linked, int domid, boolean writable, int direct, List<Integer> grefs) {
            return new Line(linked ? path : path + DELETED, domid, grefs.size(), writable, direct, grefs);
        }
    }

    /** The whole report: the header and the lines. */
    public static String render(List<Line> lines) {
        StringBuilder text = new StringBuilder(HEADER).append('\n');
        lines.forEach(line -> text.append(render(line)));
        return text.toString();
    }

    /** One line of the report, with its newline. */
    public static String render(Line line) {
        return OctalEscape.escape(line.path(), PATH_SPECIALS)
                + '\t' + line.domid()
                + '\t' + line.pages()
                + '\t' + (line.writable() ? "rw" : "ro")
                + '\t' + line.direct()
                + '\t' + formatRuns(line.grefs())
                + '\n';
    }

    /** Reads a whole report back, as {@code gntfs list} does. */
    public static List<Line> parse(String text) throws WireFormatException {
        List<String> lines = Arrays.stream(text.split("\n")).filter(line -> !line.isEmpty()).toList();
        if (lines.isEmpty() || !lines.get(0).equals(HEADER)) {
            throw new WireFormatException("not a " + NAME + " report: it lacks the header");
        }
        List<Line> parsed = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            parsed.add(parseLine(line));
        }
        return List.copyOf(parsed);
    }

    /** Reads one line back, without its newline. */
    public static Line parseLine(String line) throws WireFormatException {
        String[] fields = line.split("\t", -1);
        if (fields.length != 6) {
            throw new WireFormatException("bad " + NAME + " line: " + line);
        }
        try {
            long pages = Long.parseLong(fields[2]);
            List<Integer> grefs = parseRuns(fields[5], pages);
            if (grefs.size() != pages) {
                throw new NumberFormatException(grefs.size() + " grefs for " + pages + " pages");
            }
            return new Line(OctalEscape.unescape(fields[0]), Integer.parseInt(fields[1]), pages, fields[3].equals("rw"),
                    Integer.parseInt(fields[4]), grefs);
        } catch (NumberFormatException e) {
            throw new WireFormatException("bad " + NAME + " line: " + line, e);
        }
    }

    /** Writes grefs as runs: {@code 8,9,10,12} becomes {@code 8-10,12}; none becomes {@code -}. */
    public static String formatRuns(List<Integer> grefs) {
        if (grefs.isEmpty()) {
            return "-";
        }
        StringBuilder runs = new StringBuilder();
        int start = 0;
        for (int i = 1; i <= grefs.size(); i++) {
            if (i == grefs.size() || grefs.get(i) != grefs.get(i - 1) + 1) {
                runs.append(runs.length() > 0 ? "," : "").append(grefs.get(start));
                if (i - 1 > start) {
                    runs.append('-').append(grefs.get(i - 1));
                }
                start = i;
            }
        }
        return runs.toString();
    }

    /**
     * Reads runs back.
     *
     * @throws NumberFormatException when a run is not {@code N} or {@code N-M}, or they hold more
     *     than {@code most} grefs
     */
    public static List<Integer> parseRuns(String runs, long most) {
        List<Integer> grefs = new ArrayList<>();
        if (runs.equals("-")) {
            return List.of();
        }
        for (String run : runs.split(",", -1)) {
            int dash = run.indexOf('-');
            int first = Integer.parseInt(dash < 0 ? run : run.substring(0, dash));
            int last = dash < 0 ? first : Integer.parseInt(run.substring(dash + 1));
            for (long gref = first; gref <= last; gref++) {
                if (grefs.size() >= most) {
                    throw new NumberFormatException("more than " + most + " grefs in " + runs);
                }
                grefs.add((int) gref);
            }
        }
        return List.copyOf(grefs);
    }
}
