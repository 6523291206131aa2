package dev.llmo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packages of llmo form layers: a package may use its own layer's packages and those below, never one above,
 * so there is no cycle between packages and the core never reaches up into the CLI. Read from the sources (every
 * import and every fully qualified {@code dev.llmo.x.Y} in code and Javadoc), so a new dependency that breaks a
 * layer fails here, with the classes that cause it.
 */
class PackageLayersTest {
    /** Lowest first. Packages in one layer may use each other, but not in a cycle. */
    private static final List<Set<String>> LAYERS = List.of(
            Set.of("message", "failure", "io", "secret", "json"),
            Set.of("config", "vault", "schema"),
            Set.of("tool.mcp"),
            Set.of("tool"),
            Set.of("provider"),
            Set.of("provider.http"),
            Set.of("provider.openai", "provider.anthropic", "provider.gemini", "input"),
            Set.of("context", "cost"),
            Set.of("eventlog"),
            Set.of("core"),
            Set.of("engine"),
            Set.of("chain", "template"),
            Set.of("batch"),
            Set.of("cli.terminal"),
            Set.of("cli.repl"),
            Set.of("cli"),
            Set.of(""));

    private static final Pattern PACKAGE = Pattern.compile("^package\\s+dev\\.llmo\\.?([\\w.]*);", Pattern.MULTILINE);
    private static final Pattern REFERENCE = Pattern.compile("\\bdev\\.llmo((?:\\.[a-z]\\w*)*)\\.[A-Z]\\w*");

    /** package → package it uses → the classes that use it ("Class uses Other"). */
    private static final Map<String, Map<String, Set<String>>> USES = new TreeMap<>();

    @BeforeAll
    static void readSources() throws IOException {
        try (Stream<Path> files = Files.walk(Path.of("src/main/java/dev/llmo"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String source = Files.readString(file);
                Matcher declared = PACKAGE.matcher(source);
                assertThat(declared.find()).as("package line of %s", file).isTrue();
                String pkg = declared.group(1);
                Map<String, Set<String>> uses = USES.computeIfAbsent(pkg, p -> new TreeMap<>());
                Matcher reference = REFERENCE.matcher(source);
                while (reference.find()) {
                    String used = reference.group(1).isEmpty() ? "" : reference.group(1).substring(1);
                    if (!used.equals(pkg)) {
                        uses.computeIfAbsent(used, p -> new TreeSet<>())
                                .add(file.getFileName() + " uses " + reference.group());
                    }
                }
            }
        }
    }

    private static int layerOf(String pkg) {
        for (int i = 0; i < LAYERS.size(); i++) {
            if (LAYERS.get(i).contains(pkg)) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void everyPackageHasALayer() {
        assertThat(USES.keySet()).allSatisfy(pkg ->
                assertThat(layerOf(pkg)).as("add package dev.llmo.%s to a layer of PackageLayersTest", pkg)
                        .isNotNegative());
    }

    @Test
    void noPackageUsesAHigherLayer() {
        List<String> upward = new ArrayList<>();
        USES.forEach((pkg, uses) -> uses.forEach((used, why) -> {
            if (layerOf(used) > layerOf(pkg)) {
                upward.add("dev.llmo." + pkg + " -> dev.llmo." + used + ": " + why);
            }
        }));
        assertThat(upward).as("dependencies on a higher layer").isEmpty();
    }

    @Test
    void noCycleBetweenPackages() {
        List<String> cycles = new ArrayList<>();
        for (String start : USES.keySet()) {
            for (String used : USES.get(start).keySet()) {
                if (reaches(used, start, new TreeSet<>())) {
                    cycles.add("dev.llmo." + start + " -> dev.llmo." + used + " -> ... -> dev.llmo." + start + ": "
                            + USES.get(start).get(used));
                }
            }
        }
        assertThat(cycles).as("package cycles").isEmpty();
    }

    private static boolean reaches(String from, String target, Set<String> seen) {
        if (from.equals(target)) {
            return true;
        }
        if (!seen.add(from)) {
            return false;
        }
        return USES.getOrDefault(from, Map.of()).keySet().stream().anyMatch(next -> reaches(next, target, seen));
    }

    @Test
    void theTestSeesADependencyThatBreaksALayer() {
        Matcher reference = REFERENCE.matcher("import dev.llmo.cli.CliContext; // dev.llmo.Main.run");
        assertThat(reference.find()).isTrue();
        assertThat(reference.group(1)).isEqualTo(".cli");
        assertThat(reference.find()).isTrue();
        assertThat(reference.group(1)).isEmpty();
        assertThat(layerOf("cli")).isGreaterThan(layerOf("core"));
    }
}
