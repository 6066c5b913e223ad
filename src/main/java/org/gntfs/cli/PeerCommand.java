package org.gntfs.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.gntfs.Fault;
import org.gntfs.GntfsException;
import org.gntfs.client.MountFacts;
import org.gntfs.grant.GrantBackendProviders;
import org.gntfs.grant.GrantPeer;
import org.gntfs.protocol.Pages;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code gntfs peer}: acts as the foreign domain of a mount's grants, mapping a page by gref the
 * way the grantee would, so that what a region really shares can be checked from the shell.
 */
@Command(
        name = "peer",
        mixinStandardHelpOptions = true,
        description = "Act as the foreign domain: map a granted page by gref.",
        subcommands = {PeerCommand.Read.class, PeerCommand.Write.class, PeerCommand.Watch.class, PeerCommand.Events.class})
final class PeerCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is needed: read, write, watch or events");
    }

    /** The mount a peer command acts on, and how it reaches the mount's grant table. */
    static final class Target {
        @Parameters(index = "0", arity = "0..1", paramLabel = "MOUNTPOINT", defaultValue = Main.DEFAULT_MOUNT,
                description = "A gntfs mount (default: ${DEFAULT-VALUE}).")
        Path mountPoint;

        GrantPeer attach() throws IOException {
            return GrantBackendProviders.attachPeer(mountPoint, name -> MountFacts.read(mountPoint, name));
        }
    }

    /** Which page to map, and as whom. */
    static final class Grant {
        @Option(names = "--as", paramLabel = "DOMID", required = true, description = "The domain to act as.")
        int domid;

        @Option(names = "--gref", paramLabel = "G", required = true, description = "The grant reference to map.")
        int gref;

        @Option(names = "--offset", paramLabel = "O", defaultValue = "0", description = "Byte offset in the page.")
        int offset;

        void checkOffset(CommandLine commandLine) {
            if (offset < 0 || offset >= Pages.PAGE_SIZE) {
                throw new CommandLine.ParameterException(
                        commandLine, "--offset must be from 0 to " + (Pages.PAGE_SIZE - 1) + ", not " + offset);
            }
        }
    }

    @Command(name = "read", mixinStandardHelpOptions = true, description = "Write a granted page's bytes to stdout.")
    static final class Read implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        Target target;

        @Mixin
        Grant grant;

        @Option(names = "--length", paramLabel = "N", description = "Bytes to read (default: to the end of the page).")
        Integer length;

        @Override
        public Integer call() throws IOException {
            grant.checkOffset(spec.commandLine());
            int count = length == null ? Pages.PAGE_SIZE - grant.offset : length;
            if (count < 0 || grant.offset + count > Pages.PAGE_SIZE) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(), "--length " + count + " from offset " + grant.offset + " leaves the page");
            }
            byte[] bytes;
            try (GrantPeer peer = target.attach();
                    GrantPeer.PeerPage page = peer.map(grant.domid, grant.gref, false)) {
                bytes = page.read(grant.offset, count);
            }
            OutputStream out = System.out;
            out.write(bytes);
            out.flush();
            return 0;
        }
    }

    @Command(name = "write", mixinStandardHelpOptions = true, description = "Write stdin into a granted page.")
    static final class Write implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        Target target;

        @Mixin
        Grant grant;

        @Override
        public Integer call() throws IOException {
            grant.checkOffset(spec.commandLine());
            int room = Pages.PAGE_SIZE - grant.offset;
            InputStream in = System.in;
            byte[] data = in.readNBytes(room + 1);
            if (data.length > room) {
                throw GntfsException.of(Fault.TOO_BIG, "stdin holds more than the %d bytes left in the page", room);
            }
            try (GrantPeer peer = target.attach();
                    GrantPeer.PeerPage page = peer.map(grant.domid, grant.gref, true)) {
                page.write(grant.offset, data);
            }
            return 0;
        }
    }

    @Command(
            name = "watch",
            mixinStandardHelpOptions = true,
            description = "Map a page and wait until its byte at --offset is cleared, as an unmap notify does.")
    static final class Watch implements Callable<Integer> {
        private static final Duration POLL = Duration.ofMillis(5);

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        Target target;

        @Mixin
        Grant grant;

        @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "60", description = "Give up after this long.")
        int timeoutSeconds;

        @Override
        public Integer call() throws IOException, InterruptedException {
            grant.checkOffset(spec.commandLine());
            PrintWriter out = spec.commandLine().getOut();
            try (GrantPeer peer = target.attach();
                    GrantPeer.PeerPage page = peer.map(grant.domid, grant.gref, false)) {
                out.printf("mapped gref %d, byte %d is %d%n", grant.gref, grant.offset, page.read(grant.offset, 1)[0]);
                out.flush();
                long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
                while (page.read(grant.offset, 1)[0] != 0) {
                    if (System.nanoTime() > deadline) {
                        throw GntfsException.of(Fault.IO_ERROR, "byte %d of gref %d was not cleared within %d s",
                                grant.offset, grant.gref, timeoutSeconds);
                    }
                    Thread.sleep(POLL.toMillis());
                }
                out.printf("cleared%n");
                out.flush();
            }
            return 0;
        }
    }

    @Command(name = "events", mixinStandardHelpOptions = true, description = "Print how often an event port was signalled.")
    static final class Events implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        Target target;

        @Option(names = "--port", paramLabel = "P", required = true, description = "The event channel port.")
        int port;

        @Override
        public Integer call() throws IOException {
            try (GrantPeer peer = target.attach()) {
                GrantPeer.EventCounts events = peer.eventCounts().orElseThrow(() -> GntfsException.of(
                        Fault.NOT_SUPPORTED, "event counts exist on the simulated table only"));
                if (port < 0 || port >= events.ports()) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--port " + port + " is not a port");
                }
                spec.commandLine().getOut().println(events.count(port));
                spec.commandLine().getOut().flush();
            }
            return 0;
        }
    }
}
