package org.gntfs.cli;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import picocli.AutoComplete;
import picocli.CommandLine;

/**
 * Writes the man page {@code gntfs.1} and the bash completion script {@code gntfs} from the
 * command tree itself, so neither can drift from the options: the build runs this at package time
 * (target/man/gntfs.1, target/completion/gntfs) and scripts/install-command.sh installs them.
 * The man page is each command's usage help, the text {@code --help} prints, in troff.
 */
public final class GeneratedDocs {
    private GeneratedDocs() {}

    public static void main(String[] args) throws IOException {
        Path target = Path.of(args.length > 0 ? args[0] : "target");
        CommandLine gntfs = Main.commandLine();
        write(target.resolve("man/gntfs.1"), manPage(gntfs));
        write(target.resolve("completion/gntfs"), AutoComplete.bash("gntfs", gntfs));
    }

    private static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text, UTF_8);
    }

    static String manPage(CommandLine gntfs) throws IOException {
        String version = new Main.Version().getVersion()[0];
        StringBuilder page = new StringBuilder()
                .append(".TH GNTFS 1 \"\" \"").append(version).append("\" \"User Commands\"\n")
                .append(".SH NAME\n")
                .append("gntfs \\- ").append(troff(gntfs.getCommandSpec().usageMessage().description()[0])).append('\n');
        section(page, gntfs);
        page.append(".SH SEE ALSO\n").append("fuse-mount.sh \\-\\-help, mount.fuse.gntfs, README.md and docs/ of gntfs\n");
        return page.toString();
    }

    /** One section per command, its usage help as --help prints it, then its subcommands'. */
    private static void section(StringBuilder page, CommandLine command) {
        CommandLine.Model.CommandSpec spec = command.getCommandSpec();
        page.append(".SH \"").append(spec.qualifiedName().toUpperCase(Locale.ROOT)).append("\"\n")
                .append(".nf\n")
                .append(troff(command.getUsageMessage(CommandLine.Help.Ansi.OFF)))
                .append(".fi\n");
        for (CommandLine sub : command.getSubcommands().values()) {
            if (!sub.getCommandSpec().usageMessage().hidden() && sub.getCommandSpec().parent() == spec) {
                section(page, sub);
            }
        }
    }

    /** Text safe in troff: backslashes escaped, and no line read as a request. */
    static String troff(String text) {
        StringBuilder safe = new StringBuilder();
        for (String line : text.replace("\\", "\\e").split("\n", -1)) {
            if (line.startsWith(".") || line.startsWith("'")) {
                safe.append("\\&");
            }
            safe.append(line).append('\n');
        }
        return safe.substring(0, safe.length() - 1);
    }
}
