package org.gntfs.cli;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.google.common.base.Strings;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.gntfs.client.MountFacts;
import org.gntfs.protocol.GrantsFile;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code gntfs list}: the mount's live regions, from its {@code .grants} file, which the daemon
 * renders for whoever opens it: the regions the caller could reach by walking the tree.
 */
@Command(
        name = "list",
        mixinStandardHelpOptions = true,
        description = "List the live regions of a mount that you could reach by name (root: all of them).")
final class ListCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "MOUNTPOINT", defaultValue = Main.DEFAULT_MOUNT,
            description = "A gntfs mount (default: ${DEFAULT-VALUE}).")
    Path mountPoint;

    @Option(names = "--json", description = "Print a JSON array instead of a table.")
    boolean json;

    @Override
    public Integer call() throws IOException {
        MountFacts.read(mountPoint, "backend");
        String report = new String(Files.readAllBytes(mountPoint.resolve(GrantsFile.NAME)), UTF_8);
        List<GrantsFile.Line> lines = GrantsFile.parse(report);
        PrintWriter out = spec.commandLine().getOut();
        out.print(json ? toJson(lines) : toTable(lines));
        out.flush();
        return 0;
    }

    static String toTable(List<GrantsFile.Line> lines) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"PATH", "DOMID", "PAGES", "ACCESS", "DIRECT", "GREFS"});
        for (GrantsFile.Line line : lines) {
            rows.add(new String[] {
                line.path(),
                Integer.toString(line.domid()),
                Long.toString(line.pages()),
                line.writable() ? "rw" : "ro",
                Integer.toString(line.direct()),
                GrantsFile.formatRuns(line.grefs())
            });
        }
        int[] widths = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        StringBuilder table = new StringBuilder();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                boolean numeric = i == 1 || i == 2 || i == 4;
                String cell = numeric ? Strings.padStart(row[i], widths[i], ' ') : Strings.padEnd(row[i], widths[i], ' ');
                line.append(i == 0 ? "" : "  ").append(cell);
            }
            table.append(line.toString().stripTrailing()).append('\n');
        }
        return table.toString();
    }

    static String toJson(List<GrantsFile.Line> lines) {
        return lines.stream()
                .map(line -> String.format(
                        "{\"path\":%s,\"domid\":%d,\"pages\":%d,\"writable\":%b,\"direct\":%d,\"grefs\":[%s]}",
                        jsonString(line.path()),
                        line.domid(),
                        line.pages(),
                        line.writable(),
                        line.direct(),
                        line.grefs().stream().map(String::valueOf).collect(Collectors.joining(","))))
                .collect(Collectors.joining(",\n  ", "[\n  ", "\n]\n"))
                .replace("[\n  \n]", "[]");
    }

    private static String jsonString(String text) {
        StringBuilder quoted = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> quoted.append("\\\"");
                case '\\' -> quoted.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        quoted.append(String.format("\\u%04x", (int) c));
                    } else {
                        quoted.append(c);
                    }
                }
            }
        }
        return quoted.append('"').toString();
    }
}
