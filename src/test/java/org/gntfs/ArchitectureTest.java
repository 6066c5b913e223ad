package org.gntfs;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The package graph of docs/design.md, enforced: each package may use only the gntfs packages
 * listed beside it, the client and protocol packages only the libraries listed for them, and no
 * source file grows past {@value #MAX_LINES} lines.
 */
class ArchitectureTest {
    private static final String ROOT = "org.gntfs";

    /** Package (relative to org.gntfs, "" for the core) to the gntfs packages it may use. */
    private static final Map<String, Set<String>> ALLOWED = ImmutableMap.<String, Set<String>>builder()
            .put("cli", ImmutableSet.of("daemon", "client", "protocol", "grant", "", "nativeio"))
            .put("daemon", ImmutableSet.of("fuse", "direct", "region", "grant", "protocol", "", "nativeio"))
            .put("fuse", ImmutableSet.of("engine.abi", "engine.node", "engine.session", "engine.mount",
                    "region", "grant", "protocol", "", "nativeio"))
            .put("engine.session", ImmutableSet.of("engine.abi", "engine.node", "nativeio"))
            .put("engine.mount", ImmutableSet.of("nativeio"))
            .put("engine.node", ImmutableSet.of())
            .put("engine.abi", ImmutableSet.of())
            .put("direct", ImmutableSet.of("region", "grant", "protocol", "", "nativeio"))
            .put("client", ImmutableSet.of("protocol", "nativeio"))
            .put("protocol", ImmutableSet.of())
            .put("region", ImmutableSet.of("index", "grant", "protocol", "", "nativeio"))
            .put("index", ImmutableSet.of("grant", "protocol"))
            .put("grant", ImmutableSet.of("protocol", "", "nativeio"))
            .put("grant.sim", ImmutableSet.of("grant", "protocol", "", "nativeio"))
            .put("grant.xen", ImmutableSet.of("grant", "protocol", "", "nativeio"))
            .put("", ImmutableSet.of("nativeio"))
            .put("nativeio", ImmutableSet.of())
            .build();

    /** What a client's class path has besides gntfs's own client classes: the JDK, jnr-ffi (with jffi) and jnr-constants. */
    private static final String[] CLIENT_LIBRARIES = {"java..", "jnr.ffi..", "com.kenai.jffi..", "jnr.constants.."};

    private static final int MAX_LINES = 400;
    private static final Path SOURCES = Path.of("src/main/java");

    private static final JavaClasses CLASSES =
            new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages(ROOT);

    @TestFactory
    Stream<DynamicTest> eachPackageUsesOnlyWhatTheGraphAllows() {
        return ALLOWED.entrySet().stream().map(entry -> DynamicTest.dynamicTest(name(entry.getKey()), () -> {
            String[] allowed = Stream.concat(Stream.of(entry.getKey()), entry.getValue().stream())
                    .map(ArchitectureTest::name).toArray(String[]::new);
            classes().that().resideInAPackage(name(entry.getKey()))
                    .should().onlyDependOnClassesThat(not(resideInAPackage(ROOT + "..")).or(resideInAnyPackage(allowed)))
                    .check(CLASSES);
        }));
    }

    @Test
    void everyPackageIsInTheGraph() {
        classes().should().resideInAnyPackage(ALLOWED.keySet().stream().map(ArchitectureTest::name).toArray(String[]::new))
                .check(CLASSES);
    }

    @Test
    void clientNeedsOnlyTheJdkAndJnrFfi() {
        String[] allowed = Stream.concat(Stream.of(CLIENT_LIBRARIES),
                Stream.of("client", "protocol", "nativeio").map(ArchitectureTest::name)).toArray(String[]::new);
        classes().that().resideInAnyPackage(name("client"), name("protocol"), name("nativeio"))
                .should().onlyDependOnClassesThat().resideInAnyPackage(allowed)
                .check(CLASSES);
    }

    @Test
    void protocolIsALeafOfTheJdk() {
        classes().that().resideInAPackage(name("protocol"))
                .should().onlyDependOnClassesThat().resideInAnyPackage(name("protocol"), "java..")
                .check(CLASSES);
    }

    @Test
    void packagesFormNoCycle() {
        slices().matching(ROOT + ".(**)").should().beFreeOfCycles().check(CLASSES);
    }

    /**
     * The same graph read from the sources' imports: javac inlines a constant it takes from another
     * class, and the class file then shows no dependency for ArchUnit to see.
     */
    @Test
    void eachSourceImportsOnlyWhatTheGraphAllows() throws IOException {
        Pattern imported = Pattern.compile("^import (?:static )?org\\.gntfs\\.([a-z.]*?)\\.?[A-Z].*;$");
        List<String> forbidden = new ArrayList<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".java"))::iterator) {
                String from = SOURCES.relativize(file.getParent()).toString().replace('/', '.').replaceFirst("^org\\.gntfs\\.?", "");
                for (String line : Files.readAllLines(file)) {
                    Matcher m = imported.matcher(line);
                    if (m.matches() && !m.group(1).equals(from) && !ALLOWED.getOrDefault(from, Set.of()).contains(m.group(1))) {
                        forbidden.add(file + ": " + line);
                    }
                }
            }
        }
        assertThat(forbidden).isEmpty();
    }

    /** Small classes with one job each: a file past this has two, and is split. */
    @Test
    void noSourceFileIsLongerThan400Lines() throws IOException {
        try (Stream<Path> files = Files.walk(SOURCES)) {
            List<String> tooLong = files.filter(file -> file.toString().endsWith(".java"))
                    .filter(file -> lineCount(file) > MAX_LINES)
                    .map(file -> file + " (" + lineCount(file) + " lines)")
                    .collect(Collectors.toList());
            assertThat(tooLong).isEmpty();
        }
    }

    private static long lineCount(Path file) {
        try (Stream<String> lines = Files.lines(file)) {
            return lines.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String name(String relative) {
        return relative.isEmpty() ? ROOT : ROOT + "." + relative;
    }
}
