package org.gntfs.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.gntfs.client.DirectMapException;
import org.gntfs.client.GntRegion;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code gntfs map}: opens a region (read-write, or read-only), maps its granted pages directly,
 * prints what a peer needs, and keeps the mapping until standard input ends or the process is
 * stopped. A read-write mapping holds the region (no shrink below it, grants kept past unlink);
 * a read-only one holds nothing. The kernel's open decides whether the user may: its error is
 * the one printed.
 */
@Command(
        name = "map",
        mixinStandardHelpOptions = true,
        description = {
            "Map a region's granted pages directly and hold them until standard input ends.",
            "Prints 'size BYTES', 'domid D' and 'grefs G ...', then waits."
        })
final class MapCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "PATH", description = {
        "A region on a gntfs mount. A relative PATH that does not exist here is taken in " + Main.DEFAULT_MOUNT
                + ": 'gntfs map ring' maps " + Main.DEFAULT_MOUNT + "/ring."
    })
    Path path;

    @Option(names = "--read-only",
            description = "Open and map the region read-only; the owner may still shrink or remove it (its pages then read as zeros).")
    boolean readOnly;

    @Override
    public Integer call() throws IOException {
        Path path = regionPath(this.path);
        GntRegion region;
        try {
            region = GntRegion.open(path, readOnly ? GntRegion.Access.READ : GntRegion.Access.READ_WRITE);
        } catch (DirectMapException e) {
            throw new IOException(path + ": " + e.getMessage(), e);
        }
        try (region) {
            PrintWriter out = spec.commandLine().getOut();
            out.println("size " + region.size());
            out.println("domid " + region.domid());
            out.println("grefs " + region.grefs().stream().map(String::valueOf).collect(Collectors.joining(" ")));
            out.flush();
            while (System.in.read() >= 0) {
                // Held until standard input ends: a shell's "gntfs map X < fifo", or a ^D.
            }
        }
        return 0;
    }

    static Path regionPath(Path given) {
        if (given.isAbsolute() || Files.exists(given)) {
            return given;
        }
        return Path.of(Main.DEFAULT_MOUNT).resolve(given);
    }
}
