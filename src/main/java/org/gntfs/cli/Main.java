package org.gntfs.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Properties;
import org.gntfs.GntfsException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code gntfs} command. Bad arguments print one line and exit 2; a failure of the work
 * itself prints one line and exits 1.
 */
@Command(
        name = "gntfs",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Granted Xen regions as shm-like files on a FUSE mount.",
        subcommands = {
            MountCommand.class, ListCommand.class, PeerCommand.class, MapCommand.class, RunCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main implements Runnable {
    /** Where the README, fuse-mount.sh and the systemd unit mount, and so where commands look. */
    static final String DEFAULT_MOUNT = "/run/gnt";
    public static final int EXIT_FAILURE = 1;
    public static final int EXIT_USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is needed: mount, list, peer, map, run or help");
    }

    public static void main(String[] args) {
        LogLevel.applyBeforeAnyLogger(args);
        System.exit(execute(args));
    }

    static int execute(String... args) {
        return commandLine().execute(args);
    }

    /**
     * The whole command tree, as run and as picocli-codegen's man page and completion generators
     * see it (they call this through {@link Described}).
     */
    static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true);
        MountCommand.describeBackends(commandLine.getSubcommands().get("mount").getCommandSpec());
        commandLine.setParameterExceptionHandler((e, ignored) -> {
            PrintWriter err = e.getCommandLine().getErr();
            err.println(qualifiedName(e.getCommandLine()) + ": " + e.getMessage()
                    + " (see " + qualifiedName(e.getCommandLine()) + " --help)");
            return EXIT_USAGE;
        });
        commandLine.setExecutionExceptionHandler((e, cl, ignored) -> {
            String message = e instanceof GntfsException || e instanceof IOException
                    ? e.getMessage()
                    : e.toString();
            cl.getErr().println(qualifiedName(cl) + ": " + message);
            return EXIT_FAILURE;
        });
        return commandLine;
    }

    private static String qualifiedName(CommandLine commandLine) {
        return commandLine.getCommandSpec().qualifiedName();
    }

    /** The pom's version, which the build writes into {@code version.properties}. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties properties = new Properties();
            try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
                if (in == null) {
                    throw new IOException("version.properties is missing from this build");
                }
                properties.load(in);
            }
            return new String[] {"gntfs " + properties.getProperty("version")};
        }
    }
}
