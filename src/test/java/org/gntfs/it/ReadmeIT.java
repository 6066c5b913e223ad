package org.gntfs.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * README.md runs as written: every sh, c, python and java block not marked {@code <!-- not run -->}
 * runs in order on one fresh mount, which stands in for /run/gnt, with {@code gntfs} on PATH.
 * Each shell line must exit 0 and print what its comment shows: {@code # -> TEXT} for one line,
 * or the {@code # | LINE} lines below it. A program block is compiled and run, and prints, line
 * by line, the {@code -> TEXT} of its comments.
 */
class ReadmeIT {
    private static final Path README = Path.of("README.md");
    private static final Pattern FENCE = Pattern.compile("```(sh|c|python|java)");
    private static final Pattern INLINE_OUTPUT = Pattern.compile("\\s#\\s->\\s(.*)$");
    private static final Pattern PROGRAM_OUTPUT = Pattern.compile("(?://|#|/\\*)\\s*->\\s(.*?)\\s*(?:\\*/)?$");
    private static final String OUTPUT_LINE = "# | ";

    record Block(String language, List<String> lines, int firstLine) {}

    @TempDir
    Path directory;

    private ScriptedMount mount;
    private Path bin;

    @BeforeEach
    void mount() throws IOException {
        mount = new ScriptedMount(directory);
        mount.script(mount.mountPoint().toString()).assertOk();
        bin = Files.createDirectory(directory.resolve("bin"));
        Files.createSymbolicLink(bin.resolve("gntfs"), Path.of("bin/gntfs").toAbsolutePath());
    }

    @AfterEach
    void unmount() throws IOException {
        mount.script("-u", mount.mountPoint().toString());
        mount.close();
    }

    @Test
    void everyBlock_runsAndPrintsWhatItsCommentsShow() throws IOException {
        List<Block> blocks = blocks(Files.readAllLines(README));
        assertThat(blocks).extracting(Block::language).contains("sh", "c", "python", "java");

        for (Block block : blocks) {
            List<String> lines = block.lines().stream()
                    .map(line -> line.replace("/run/gnt", mount.mountPoint().toString()))
                    .toList();
            switch (block.language()) {
                case "sh" -> runShell(block, lines);
                case "c" -> runProgram(block, lines, "frame.c", List.of("sh", "-c", "cc -o frame frame.c && ./frame"));
                case "python" -> runProgram(block, lines, "example.py", List.of("python3", "example.py"));
                case "java" -> runProgram(block, lines, javaFile(lines),
                        List.of("java", "-cp", Proc.JAR.toString(), javaFile(lines)));
                default -> throw new AssertionError(block.language());
            }
        }
    }

    /** The fenced blocks to run, with the line each starts on, for messages. */
    static List<Block> blocks(List<String> readme) {
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < readme.size(); i++) {
            Matcher fence = FENCE.matcher(readme.get(i));
            if (!fence.matches()) {
                continue;
            }
            int start = i + 1;
            int end = start;
            while (!readme.get(end).equals("```")) {
                end++;
            }
            if (i == 0 || !readme.get(i - 1).strip().equals("<!-- not run -->")) {
                blocks.add(new Block(fence.group(1), readme.subList(start, end), start + 1));
            }
            i = end;
        }
        return blocks;
    }

    private void runShell(Block block, List<String> lines) {
        for (int i = 0; i < lines.size(); i++) {
            String command = lines.get(i);
            if (command.isBlank() || command.startsWith("#")) {
                continue;
            }
            List<String> expected = new ArrayList<>();
            Matcher inline = INLINE_OUTPUT.matcher(command);
            boolean oneLine = inline.find();
            if (oneLine) {
                expected.add(inline.group(1).strip());
            }
            for (int j = i + 1; j < lines.size() && lines.get(j).startsWith(OUTPUT_LINE); j++) {
                expected.add(lines.get(j).substring(OUTPUT_LINE.length()).stripTrailing());
            }
            Proc.Result result = run(List.of("bash", "-o", "pipefail", "-c", command));
            String where = "README.md line " + (block.firstLine() + i) + ": " + command + "\nstderr: " + result.err();
            assertThat(result.exit()).as(where).isZero();
            if (!expected.isEmpty()) {
                assertThat(printed(result, oneLine)).as(where).isEqualTo(expected);
            }
        }
    }

    private void runProgram(Block block, List<String> lines, String file, List<String> command) throws IOException {
        Files.write(directory.resolve(file), lines);
        List<String> expected = new ArrayList<>();
        for (String line : lines) {
            Matcher output = PROGRAM_OUTPUT.matcher(line);
            if (output.find()) {
                expected.add(output.group(1));
            }
        }
        Proc.Result result = run(command);
        String where = "README.md's " + block.language() + " block at line " + block.firstLine() + "\nstderr: " + result.err();
        assertThat(result.exit()).as(where).isZero();
        assertThat(printed(result, false)).as(where).isEqualTo(expected);
    }

    /** Stdout's lines without trailing blanks; a one-line answer also without leading ones (od pads). */
    private static List<String> printed(Proc.Result result, boolean oneLine) {
        List<String> lines = result.out().lines().map(String::stripTrailing).toList();
        return oneLine && lines.size() == 1 ? List.of(lines.get(0).strip()) : lines;
    }

    private static String javaFile(List<String> lines) {
        for (String line : lines) {
            Matcher name = Pattern.compile("^public class (\\w+)").matcher(line);
            if (name.find()) {
                return name.group(1) + ".java";
            }
        }
        throw new AssertionError("a java block without a public class: " + lines);
    }

    private Proc.Result run(List<String> command) {
        List<String> full = new ArrayList<>(List.of("env", "-C", directory.toString(),
                "PATH=" + bin + ":" + System.getenv("PATH"), "GNTFS_JAR=" + Proc.JAR));
        full.addAll(command);
        return Proc.run(full);
    }
}
