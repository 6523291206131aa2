package dev.llmo.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmo.config.ConfigNode.MapNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigSnapshotTest {
    private static final String EVERY_KIND = "name: \"tökén ✓\"\ncount: 9223372036854775807\nhuge: 123456789012345678901234567890\n"
            + "price: 2.50\nsmall: 1.0e-7\non: true\noff: false\nnothing: ~\nempty:\n"
            + "list:\n  - a\n  - { b: 1, c: [x, y] }\n  - []\nnested: { z: 1, a: 2, m: 3 }\n";

    @Test
    void theBundledSnapshotHoldsWhatTheBundledYamlParsesTo() throws IOException {
        Map<String, byte[]> sources = bundledYaml();

        Map<String, MapNode> trees = ConfigSnapshot.builtIn(sources);

        assertThat(trees).isNotNull().containsOnlyKeys(ConfigLoader.CONFIG_FILE, ConfigLoader.MODELS_FILE);
        for (Map.Entry<String, byte[]> source : sources.entrySet()) {
            assertSameTree(trees.get(source.getKey()), parse(source.getKey(), source.getValue()));
        }
    }

    @Test
    void keepsEveryKindOfValueWithItsPlaceAndOrder() {
        Map<String, byte[]> sources = Map.of("config.yaml", EVERY_KIND.getBytes(StandardCharsets.UTF_8));

        Map<String, MapNode> trees = ConfigSnapshot.decode(ConfigSnapshot.encode(sources), sources);

        MapNode parsed = parse("config.yaml", sources.get("config.yaml"));
        assertSameTree(trees.get("config.yaml"), parsed);
        assertThat(((ConfigNode.ScalarNode) parsed.get("huge")).value()).isInstanceOf(java.math.BigDecimal.class);
        assertThat(parsed.keyOrigin("price").where()).isEqualTo("(built-in) config.yaml:4:1");
    }

    @Test
    void aSnapshotOfOtherBytesIsNotUsed() {
        byte[] original = EVERY_KIND.getBytes(StandardCharsets.UTF_8);
        byte[] snapshot = ConfigSnapshot.encode(Map.of("config.yaml", original));
        byte[] edited = original.clone();
        edited[edited.length - 2] = '4'; // same length, one value changed: m: 4

        assertThat(ConfigSnapshot.decode(snapshot, Map.of("config.yaml", edited))).isNull();
        assertThat(ConfigSnapshot.decode(snapshot, Map.of("models.yaml", original))).isNull();
        assertThat(ConfigSnapshot.decode(snapshot, Map.of("config.yaml", original, "models.yaml", original))).isNull();
    }

    @Test
    void aDamagedSnapshotIsNotUsed() {
        Map<String, byte[]> sources = Map.of("config.yaml", EVERY_KIND.getBytes(StandardCharsets.UTF_8));
        byte[] snapshot = ConfigSnapshot.encode(sources);

        assertThat(ConfigSnapshot.decode(Arrays.copyOf(snapshot, snapshot.length / 2), sources)).isNull();
        assertThat(ConfigSnapshot.decode("not a snapshot".getBytes(StandardCharsets.UTF_8), sources)).isNull();
    }

    private static MapNode parse(String name, byte[] bytes) {
        String file = ConfigLoader.builtInName(name);
        return YamlFiles.parse(new String(bytes, StandardCharsets.UTF_8), file, ConfigLayer.BUILT_IN);
    }

    static void assertSameTree(MapNode actual, MapNode expected) {
        assertThat(actual).isEqualTo(expected);
        assertSameOrder(actual, expected);
    }

    // Records compare maps without their order, but the order of keys is what 'llmo models' lists.
    private static void assertSameOrder(ConfigNode actual, ConfigNode expected) {
        if (expected instanceof MapNode map) {
            MapNode other = (MapNode) actual;
            assertThat(other.entries().keySet()).containsExactlyElementsOf(map.entries().keySet());
            map.entries().forEach((key, value) -> assertSameOrder(other.get(key), value));
        } else if (expected instanceof ConfigNode.ListNode list) {
            List<ConfigNode> items = ((ConfigNode.ListNode) actual).items();
            for (int i = 0; i < list.items().size(); i++) {
                assertSameOrder(items.get(i), list.items().get(i));
            }
        }
    }

    private static Map<String, byte[]> bundledYaml() throws IOException {
        Map<String, byte[]> sources = new LinkedHashMap<>();
        for (String name : List.of(ConfigLoader.CONFIG_FILE, ConfigLoader.MODELS_FILE)) {
            try (InputStream in = ConfigSnapshotTest.class.getResourceAsStream("/dev/llmo/defaults/" + name)) {
                sources.put(name, in.readAllBytes());
            }
        }
        return sources;
    }

    @Test
    void thePackagingCheckPassesTheJarsOwnFilesAndRefusesOthers(@TempDir Path dir) throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (String name : List.of(ConfigLoader.CONFIG_FILE, ConfigLoader.MODELS_FILE)) {
            try (InputStream in = ConfigSnapshot.class.getResourceAsStream(ConfigLoader.BUILT_IN_RESOURCES + name)) {
                files.put(name, in.readAllBytes());
            }
        }
        Path own = jar(dir.resolve("own.jar"), files);
        ConfigSnapshot.checkBundle(own); // the bundle the build made of these files, in the classes directory

        files.put(ConfigLoader.MODELS_FILE, (new String(files.get(ConfigLoader.MODELS_FILE), StandardCharsets.UTF_8)
                + "\n# edited after the bundle was made\n").getBytes(StandardCharsets.UTF_8));
        Path edited = jar(dir.resolve("edited.jar"), files);
        assertThatThrownBy(() -> ConfigSnapshot.checkBundle(edited)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is not the jar's own").hasMessageContaining("rebuild with 'mvn package'");
    }

    private static Path jar(Path file, Map<String, byte[]> files) throws IOException {
        try (OutputStream out = Files.newOutputStream(file); JarOutputStream jar = new JarOutputStream(out)) {
            for (Map.Entry<String, byte[]> entry : files.entrySet()) {
                jar.putNextEntry(new JarEntry(ConfigLoader.BUILT_IN_RESOURCES.substring(1) + entry.getKey()));
                jar.write(entry.getValue());
                jar.closeEntry();
            }
        }
        return file;
    }
}
