package org.gntfs.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import org.gntfs.Limits;
import org.gntfs.daemon.GntfsMount;
import org.gntfs.daemon.MountOptions;
import org.gntfs.grant.Domids;
import org.gntfs.grant.GrantBackend;
import org.gntfs.grant.GrantBackendProvider;
import org.gntfs.grant.GrantBackendProviders;
import org.gntfs.grant.PoolSettings;
import org.gntfs.nativeio.UnixSocket;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code gntfs mount}: serves a mount in the foreground until it is unmounted or signalled. */
@Command(name = "mount", mixinStandardHelpOptions = true, description = "Mount gntfs and serve it until unmounted.")
final class MountCommand implements Callable<Integer> {
    /** Xen's default grant table: gnttab_max_frames=64 frames of 512 v1 entries. */
    static final int DEFAULT_LIMIT = 32768;
    static final int MAX_LIMIT = 1 << 24;
    private static final Duration MOUNT_TIMEOUT = Duration.ofSeconds(30);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MOUNTPOINT", description = "An existing, empty directory.")
    Path mountPoint;

    /** Its label and help name the registered backends: see {@link #describeBackends}. */
    @Option(names = "--backend", defaultValue = GrantBackendProviders.AUTO, converter = BackendChoice.class,
            completionCandidates = BackendChoice.Names.class)
    GrantBackendProvider backend;

    @Option(names = "--domid", paramLabel = "N", defaultValue = "0",
            description = "The domain new regions are granted to (default: ${DEFAULT-VALUE}).")
    int domid;

    @Option(names = "--limit", paramLabel = "PAGES", defaultValue = "" + DEFAULT_LIMIT,
            description = "The grant pool of the simulated table (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--table-dir", paramLabel = "DIR", defaultValue = "/dev/shm",
            description = "Where the simulated table's files go (default: ${DEFAULT-VALUE}).")
    Path tableDirectory;

    @Option(names = "--cache-timeout", paramLabel = "SECONDS", defaultValue = "3600",
            description = "How long the kernel trusts names and attributes (default: ${DEFAULT-VALUE}).")
    int cacheTimeoutSeconds;

    @Option(names = "--writeback-tuning", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Lift the kernel's per-mount dirty-page limit, as root (default: on;"
                    + " --no-writeback-tuning keeps the limit).")
    boolean tuneWriteback;

    @Option(names = "--keep-cache",
            description = "Keep cached pages across opens of every region, not only of read-only grants:"
                    + " faster re-reads, but the next open no longer shows a peer's stores.")
    boolean keepCache;

    @Option(names = "--fuse-debug", description = "Log every FUSE request to stderr.")
    boolean fuseDebug;

    @Option(names = "--direct-socket", paramLabel = "PATH",
            description = "Where the direct-mapping socket listens (default: MOUNTPOINT.sock beside the mount"
                    + " point, if it can be made there).")
    Path directSocket;

    @Option(names = "--no-direct-socket", description = "Offer no direct mapping.")
    boolean noDirectSocket;

    @Option(names = "--mode", paramLabel = "MODE", defaultValue = "0755",
            description = "The mount root's mode, in octal (default: ${DEFAULT-VALUE}); 1777 makes a shared"
                    + " directory like /dev/shm, where anyone creates regions and only their owner removes them.")
    String mode;

    @Option(names = "--inodes", paramLabel = "N", defaultValue = "" + Limits.DEFAULT_INODES,
            description = "The regions and directories the mount may hold, as df -i shows (default: ${DEFAULT-VALUE});"
                    + " past it a create or mkdir gives ENOSPC.")
    long inodes;

    @Option(names = "--xattr-bytes", paramLabel = "BYTES", defaultValue = "" + Limits.DEFAULT_ATTRIBUTE_BYTES,
            description = "The bytes of user.* attributes (names and values) the whole mount may store"
                    + " (default: ${DEFAULT-VALUE}); past it setxattr gives ENOSPC.")
    long attributeBytes;

    @Option(names = "--xattr-bytes-per-uid", paramLabel = "BYTES", defaultValue = "" + Limits.DEFAULT_ATTRIBUTE_BYTES_PER_UID,
            description = "The same for the nodes each uid owns (default: ${DEFAULT-VALUE}); past it setxattr gives EDQUOT.")
    long attributeBytesPerUid;

    @Option(names = "--grants-per-uid", paramLabel = "N", defaultValue = "" + Limits.NO_QUOTA,
            description = "The grants (pages) the regions of each uid may hold, or 0 for no quota"
                    + " (default: ${DEFAULT-VALUE}); past it a grow gives EDQUOT.")
    long grantsPerUid;

    /** Checked and documented here; applied by {@link LogLevel} before any logger exists. */
    @Option(names = LogLevel.OPTION, paramLabel = "LEVEL", defaultValue = "info",
            description = "The daemon's log level: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    LogLevel logLevel;

    @Override
    public Integer call() throws Exception {
        validate();
        // The kernel's name for it, as mountinfo shows it: the daemon's unmount looks for that name.
        mountPoint = mountPoint.toRealPath();
        int rootMode = rootMode();
        FuseAccess.checkCanMount();
        GrantBackend grants = backend.open(new PoolSettings(limit, tableDirectory));
        MountOptions options = new MountOptions(
                mountPoint, Duration.ofSeconds(cacheTimeoutSeconds), tuneWriteback, keepCache, fuseDebug,
                noDirectSocket ? null : directSocket != null ? directSocket : MountOptions.defaultDirectSocket(mountPoint),
                directSocket != null, rootMode, limits());
        GntfsMount mount = GntfsMount.start(grants, domid, options, MOUNT_TIMEOUT);
        spec.commandLine().getOut().printf(
                "gntfs: mounted %s (backend %s, %d grants, pid %d)%n",
                mountPoint, grants.name(), grants.usage().limit(), ProcessHandle.current().pid());
        spec.commandLine().getOut().flush();
        mount.awaitUnmounted();
        mount.close();
        return 0;
    }

    /**
     * Gives {@code --backend} of the {@code mount} command its label ({@code auto|sim|xen}) and its
     * help from the registered backends; annotations can only hold constants.
     */
    static void describeBackends(CommandLine.Model.CommandSpec mount) {
        CommandLine.Model.OptionSpec option = mount.findOption("--backend");
        List<String> autoRules = GrantBackendProviders.byPriority().stream()
                .filter(provider -> !provider.availableWhen().isEmpty())
                .map(provider -> provider.name() + " " + provider.availableWhen())
                .toList();
        String description = "Where grants come from (default: ${DEFAULT-VALUE}"
                + (autoRules.isEmpty() ? "" : ": " + String.join(", ", autoRules)) + ").";
        mount.remove(option);
        mount.addOption(option.toBuilder()
                .paramLabel(String.join("|", new BackendChoice.Names()))
                .description(description)
                .build());
    }

    private Limits limits() {
        try {
            return new Limits(inodes, attributeBytes, attributeBytesPerUid, grantsPerUid);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private int rootMode() {
        if (!mode.matches("[0-7]{1,4}")) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--mode must be an octal mode from 0 to 7777, not " + mode);
        }
        return Integer.parseInt(mode, 8);
    }

    private void validate() {
        CommandLine commandLine = spec.commandLine();
        if (!Domids.isOrdinary(domid)) {
            throw new CommandLine.ParameterException(
                    commandLine, "--domid must be from 0 to " + (Domids.FIRST_RESERVED - 1) + ", not " + domid);
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new CommandLine.ParameterException(
                    commandLine, "--limit must be from 1 to " + MAX_LIMIT + ", not " + limit);
        }
        if (cacheTimeoutSeconds < 1) {
            throw new CommandLine.ParameterException(
                    commandLine, "--cache-timeout must be at least 1 second, not " + cacheTimeoutSeconds);
        }
        if (noDirectSocket && directSocket != null) {
            throw new CommandLine.ParameterException(commandLine, "--direct-socket and --no-direct-socket exclude each other");
        }
        if (directSocket != null && directSocket.toAbsolutePath().toString().getBytes(StandardCharsets.UTF_8).length
                >= UnixSocket.PATH_MAX) {
            throw new CommandLine.ParameterException(
                    commandLine, "--direct-socket must be shorter than " + UnixSocket.PATH_MAX + " bytes: " + directSocket);
        }
        if (!Files.isDirectory(mountPoint)) {
            throw new CommandLine.ParameterException(commandLine, mountPoint + " is not a directory");
        }
    }
}
