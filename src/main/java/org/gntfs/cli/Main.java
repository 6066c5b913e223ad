package org.gntfs.cli;

import java.io.IOException;
import java.io.PrintWriter;
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
        subcommands = {MountCommand.class, ListCommand.class, PeerCommand.class, MapCommand.class})
public final class Main implements Runnable {
    public static final int EXIT_FAILURE = 1;
    public static final int EXIT_USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is needed: mount, list, peer or map");
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    static int execute(String... args) {
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
        return commandLine.execute(args);
    }

    private static String qualifiedName(CommandLine commandLine) {
        return commandLine.getCommandSpec().qualifiedName();
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"gntfs " + (version == null ? "(development build)" : version)};
        }
    }
}
