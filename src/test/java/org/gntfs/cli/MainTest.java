package org.gntfs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import picocli.CommandLine;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class MainTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream originalOut;
    private PrintStream originalErr;

    @BeforeEach
    void captureOutput() {
        originalOut = System.out;
        originalErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restoreOutput() {
        System.setOut(originalOut);
        System.setErr(originalErr);
    }

    @Test
    void help_listsTheSubcommands() {
        assertThat(Main.execute("--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("mount", "list", "peer");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "''                                           | gntfs: a subcommand is needed: mount, list, peer, map, run or help",
        "frobnicate                                   | gntfs: Unmatched argument at index 0: 'frobnicate'",
        "mount                                        | gntfs mount: Missing required parameter: 'MOUNTPOINT'",
        "mount /tmp --backend zfs                     | gntfs mount: Invalid value for option '--backend'",
        "mount /tmp --domid 32752                     | gntfs mount: --domid must be from 0 to 32751, not 32752",
        "mount /tmp --limit 0                         | gntfs mount: --limit must be from 1 to 16777216, not 0",
        "mount /nonexistent/dir                       | gntfs mount: /nonexistent/dir is not a directory",
        "peer                                         | gntfs peer: a subcommand is needed: read, write, watch or events",
        "map                                          | gntfs map: Missing required parameter: 'PATH'",
        "mount /tmp --direct-socket /s --no-direct-socket | gntfs mount: --direct-socket and --no-direct-socket exclude each other",
        "peer read /tmp --gref 8                      | gntfs peer read: Missing required option: '--as=DOMID'",
        "peer read /tmp --as 0 --gref 8 --offset 4096 | gntfs peer read: --offset must be from 0 to 4095, not 4096",
        "list /tmp --jsn                              | gntfs list: Unknown option: '--jsn'",
        "mount /tmp --mode 888                        | gntfs mount: --mode must be an octal mode from 0 to 7777, not 888",
        "mount /tmp --log-level loud                  | gntfs mount: Invalid value for option '--log-level'",
        "run                                          | gntfs run: Missing required parameter: 'PROG'",
    })
    void badArguments_printOneLineAndExitTwo(String arguments, String message) {
        String[] args = arguments.isEmpty() ? new String[0] : arguments.split(" ");

        assertThat(Main.execute(args)).isEqualTo(2);

        String printed = err.toString(StandardCharsets.UTF_8);
        assertThat(printed).startsWith(message).endsWith("--help)\n");
        assertThat(printed.lines()).hasSize(1);
        assertThat(out.size()).isZero();
    }

    @Test
    void aFailureOfTheWork_printsOneLineAndExitsOne() {
        assertThat(Main.execute("list", "/tmp")).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("gntfs list: /tmp is not a gntfs mount").hasLineCount(1);
    }

    @ParameterizedTest
    @CsvSource({
        "mount", "list", "peer", "peer read", "peer write", "peer watch", "peer events", "map", "run", "help"
    })
    void help_onEveryCommand_printsItsUsageAndExitsZero(String command) {
        List<String> args = new ArrayList<>(List.of(command.split(" ")));
        args.add("--help");

        assertThat(Main.execute(args.toArray(String[]::new))).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("Usage: gntfs " + command + " ");
        assertThat(err.size()).isZero();
    }

    @ParameterizedTest
    @CsvSource({"mount", "peer", "map"})
    void helpCommand_printsTheCommandsUsage(String command) {
        assertThat(Main.execute("help", command)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("Usage: gntfs " + command + " ");
    }

    @Test
    void version_isThePomsVersion() throws IOException {
        Matcher version = Pattern.compile("<artifactId>gntfs</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(Files.readString(Path.of("pom.xml")));
        assertThat(version.find()).isTrue();

        assertThat(Main.execute("--version")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("gntfs " + version.group(1) + "\n");
    }

    @Test
    void mapPath_relativeAndMissingHere_isTakenInRunGnt() {
        assertThat(MapCommand.regionPath(Path.of("ring"))).isEqualTo(Path.of("/run/gnt/ring"));
        assertThat(MapCommand.regionPath(Path.of("/tmp/ring"))).isEqualTo(Path.of("/tmp/ring"));
        assertThat(MapCommand.regionPath(Path.of("pom.xml"))).isEqualTo(Path.of("pom.xml"));
    }

    @ParameterizedTest
    @CsvSource({"list", "peer read", "peer write", "peer watch", "peer events"})
    void mountPoint_isOptional_andRunGntByDefault(String command) {
        CommandLine found = Main.commandLine();
        for (String name : command.split(" ")) {
            found = found.getSubcommands().get(name);
        }
        CommandLine.Model.PositionalParamSpec mountPoint = found.getCommandSpec().positionalParameters().get(0);

        assertThat(mountPoint.paramLabel()).isEqualTo("MOUNTPOINT");
        assertThat(mountPoint.arity().min()).isZero();
        assertThat(mountPoint.defaultValue()).isEqualTo("/run/gnt");
    }
}
