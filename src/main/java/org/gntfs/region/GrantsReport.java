package org.gntfs.region;

import com.google.common.base.Splitter;
import com.google.common.collect.ImmutableList;
import com.google.common.primitives.ImmutableIntArray;
import java.util.List;
import org.gntfs.Fault;
import org.gntfs.GntfsException;

/**
 * The text of the virtual {@code .grants} file: a header line, then one tab-separated line per
 * live region: path, domid, pages, {@code rw} or {@code ro}, how many direct mappings hold it,
 * and the grefs as comma-separated runs ({@code 8-11,20}). A region unlinked but still open shows its last path and " (deleted)".
 * Tabs, newlines and backslashes in paths are written as octal escapes, as in /proc/mounts.
 */
public final class GrantsReport {
    public static final String FILE_NAME = ".grants";
    public static final String HEADER = "path\tdomid\tpages\taccess\tdirect\tgrefs";
    private static final String DELETED = " (deleted)";

    private GrantsReport() {}

    /** One line of the report, as {@code gntfs list} reads it back. */
    public record Line(String path, int domid, long pages, boolean writable, int direct, ImmutableIntArray grefs) {}

    public static String render(List<Region> regions) {
        StringBuilder text = new StringBuilder(HEADER).append('\n');
        for (Region region : regions) {
            Region.GrantSummary grant = region.summary();
            text.append(escape(region.path()))
                    .append(region.isLinked() ? "" : DELETED)
                    .append('\t').append(grant.domid())
                    .append('\t').append(grant.grefs().length())
                    .append('\t').append(grant.writable() ? "rw" : "ro")
                    .append('\t').append(region.loanCount())
                    .append('\t').append(formatRuns(grant.grefs()))
                    .append('\n');
        }
        return text.toString();
    }

    public static ImmutableList<Line> parse(String text) {
        List<String> lines = Splitter.on('\n').omitEmptyStrings().splitToList(text);
        if (lines.isEmpty() || !lines.get(0).equals(HEADER)) {
            throw GntfsException.of(Fault.INVALID_ARGUMENT, "not a %s report: it lacks the header", FILE_NAME);
        }
        ImmutableList.Builder<Line> parsed = ImmutableList.builder();
        for (String line : lines.subList(1, lines.size())) {
            List<String> fields = Splitter.on('\t').splitToList(line);
            if (fields.size() != 6) {
                throw GntfsException.of(Fault.INVALID_ARGUMENT, "bad %s line: %s", FILE_NAME, line);
            }
            try {
                parsed.add(new Line(
                        unescape(fields.get(0)),
                        Integer.parseInt(fields.get(1)),
                        Long.parseLong(fields.get(2)),
                        fields.get(3).equals("rw"),
                        Integer.parseInt(fields.get(4)),
                        parseRuns(fields.get(5))));
            } catch (NumberFormatException e) {
                throw GntfsException.causedBy(Fault.INVALID_ARGUMENT, e, "bad %s line: %s", FILE_NAME, line);
            }
        }
        return parsed.build();
    }

    /** Writes grefs as runs: {@code 8,9,10,12} becomes {@code 8-10,12}; none becomes {@code -}. */
    public static String formatRuns(ImmutableIntArray grefs) {
        if (grefs.isEmpty()) {
            return "-";
        }
        StringBuilder runs = new StringBuilder();
        int start = 0;
        for (int i = 1; i <= grefs.length(); i++) {
            if (i == grefs.length() || grefs.get(i) != grefs.get(i - 1) + 1) {
                runs.append(runs.length() > 0 ? "," : "").append(grefs.get(start));
                if (i - 1 > start) {
                    runs.append('-').append(grefs.get(i - 1));
                }
                start = i;
            }
        }
        return runs.toString();
    }

    public static ImmutableIntArray parseRuns(String runs) {
        ImmutableIntArray.Builder grefs = ImmutableIntArray.builder();
        if (runs.equals("-")) {
            return grefs.build();
        }
        for (String run : Splitter.on(',').split(runs)) {
            int dash = run.indexOf('-');
            int first = Integer.parseInt(dash < 0 ? run : run.substring(0, dash));
            int last = dash < 0 ? first : Integer.parseInt(run.substring(dash + 1));
            for (int gref = first; gref <= last; gref++) {
                grefs.add(gref);
            }
        }
        return grefs.build();
    }

    private static String escape(String path) {
        return path.replace("\\", "\\134").replace("\t", "\\011").replace("\n", "\\012");
    }

    private static String unescape(String field) {
        return field.replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\");
    }
}
