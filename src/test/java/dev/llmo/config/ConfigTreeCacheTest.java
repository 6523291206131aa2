package dev.llmo.config;

import static dev.llmo.config.ConfigSnapshotTest.assertSameTree;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmo.config.ConfigNode.MapNode;
import dev.llmo.failure.ConfigException;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigTreeCacheTest {
    private static final String BUILD = "0.2.0-20261203000000";
    private static final String FILE = "/home/me/.config/llmo/models.yaml";
    private static final String YAML = "openai:\n  type: openai\n  models:\n    - name: gpt-4o-mini\n      pricing: "
            + "{ input_per_mtok: 0.15, output_per_mtok: 0.60 }\nlocal:\n  base_url: http://localhost:11434/v1\n";
    private static final byte[] SOURCE = YAML.getBytes(StandardCharsets.UTF_8);
    /** What no parse of {@link #YAML} gives: found only when an entry is used. */
    private static final MapNode PLANTED = YamlFiles.parse("planted: true\n", FILE, ConfigLayer.USER);

    @TempDir
    Path tmp;

    private ConfigTreeCache cache(String build) {
        return new ConfigTreeCache(tmp.resolve("cache/config"), build);
    }

    private MapNode parse(ConfigTreeCache cache, byte[] source, String file, String layer) {
        return cache.parse(source, new String(source, StandardCharsets.UTF_8), file, layer);
    }

    private Path entry(String layer, String file) {
        return tmp.resolve("cache/config").resolve(ConfigTreeCache.name(layer, file));
    }

    private void plant(String atLayer, String atFile, String build, String layer, String file, byte[] source)
            throws IOException {
        Files.createDirectories(entry(atLayer, atFile).getParent());
        Files.write(entry(atLayer, atFile), ConfigSnapshot.encodeEntry(build, layer, file, source, PLANTED));
    }

    @Test
    void theFirstReadParsesAndWritesAnEntryWhichTheNextReadsUse() throws IOException {
        MapNode first = parse(cache(BUILD), SOURCE, FILE, ConfigLayer.USER);

        assertSameTree(first, YamlFiles.parse(YAML, FILE, ConfigLayer.USER));
        assertThat(entry(ConfigLayer.USER, FILE)).exists();
        assertSameTree(parse(cache(BUILD), SOURCE, FILE, ConfigLayer.USER), first);
        // the second tree came from the entry: one that says otherwise is believed for these exact bytes
        plant(ConfigLayer.USER, FILE, BUILD, ConfigLayer.USER, FILE, SOURCE);
        assertThat(parse(cache(BUILD), SOURCE, FILE, ConfigLayer.USER)).isEqualTo(PLANTED);
    }

    @Test
    void anEntryServesOnlyItsBuildLayerFileAndExactBytes() throws IOException {
        MapNode parsed = YamlFiles.parse(YAML, FILE, ConfigLayer.PROJECT);
        byte[] edited = SOURCE.clone();
        edited[edited.length - 3] = '2'; // same length, port 11424

        plant(ConfigLayer.PROJECT, FILE, BUILD, ConfigLayer.PROJECT, FILE, SOURCE);
        assertSameTree(parse(cache("0.2.0-20261204000000"), SOURCE, FILE, ConfigLayer.PROJECT), parsed);
        plant(ConfigLayer.PROJECT, FILE, BUILD, ConfigLayer.PROJECT, FILE, SOURCE);
        assertSameTree(parse(cache(BUILD), edited, FILE, ConfigLayer.PROJECT),
                YamlFiles.parse(new String(edited, StandardCharsets.UTF_8), FILE, ConfigLayer.PROJECT));
        // an entry under another file's or layer's name (a hash collision, a copied file) is not that file's
        plant(ConfigLayer.PROJECT, "/elsewhere/.llmo/models.yaml", BUILD, ConfigLayer.PROJECT, FILE, SOURCE);
        assertSameTree(parse(cache(BUILD), SOURCE, "/elsewhere/.llmo/models.yaml", ConfigLayer.PROJECT),
                YamlFiles.parse(YAML, "/elsewhere/.llmo/models.yaml", ConfigLayer.PROJECT));
        plant(ConfigLayer.USER, FILE, BUILD, ConfigLayer.PROJECT, FILE, SOURCE);
        assertSameTree(parse(cache(BUILD), SOURCE, FILE, ConfigLayer.USER), YamlFiles.parse(YAML, FILE, ConfigLayer.USER));
        // each of those parses wrote the entry again: the next read is served
        assertThat(ConfigSnapshot.decodeEntry(Files.readAllBytes(entry(ConfigLayer.USER, FILE)), BUILD,
                ConfigLayer.USER, FILE, SOURCE)).isEqualTo(YamlFiles.parse(YAML, FILE, ConfigLayer.USER));
    }

    @Test
    void aDamagedOrForeignEntryIsParsedOverAndReplaced() throws IOException {
        MapNode parsed = YamlFiles.parse(YAML, FILE, ConfigLayer.USER);
        byte[] good = ConfigSnapshot.encodeEntry(BUILD, ConfigLayer.USER, FILE, SOURCE, parsed);
        Random random = new Random(15);
        byte[] noise = new byte[4096];
        random.nextBytes(noise);
        byte[] hugeLength = good.clone();
        ByteBuffer.wrap(hugeLength).putInt(4, Integer.MAX_VALUE); // the build's length
        for (byte[] damaged : new byte[][] {noise, Arrays.copyOf(good, good.length / 2), hugeLength, new byte[0],
                Arrays.copyOf(good, good.length + 1), deeplyNested(), manyNodes()}) {
            Files.createDirectories(entry(ConfigLayer.USER, FILE).getParent());
            Files.write(entry(ConfigLayer.USER, FILE), damaged);

            assertSameTree(parse(cache(BUILD), SOURCE, FILE, ConfigLayer.USER), parsed);
            assertThat(Files.readAllBytes(entry(ConfigLayer.USER, FILE))).isEqualTo(good);
        }
    }

    @Test
    void aFileWithAnErrorIsReportedEveryTimeAndNeverCached() {
        byte[] broken = "openai:\n  type: [openai\n".getBytes(StandardCharsets.UTF_8);

        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> parse(cache(BUILD), broken, FILE, ConfigLayer.USER))
                    .isInstanceOf(ConfigException.class).hasMessageStartingWith(FILE + ":");
        }
        assertThat(entry(ConfigLayer.USER, FILE)).doesNotExist();
    }

    @Test
    void theEntriesAreTheUsersAlone() throws IOException {
        parse(cache(BUILD), SOURCE, FILE, ConfigLayer.USER);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("cache/config"))))
                .isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(entry(ConfigLayer.USER, FILE))))
                .isEqualTo("rw-------");
        try (Stream<Path> files = Files.list(tmp.resolve("cache/config"))) {
            assertThat(files).hasSize(1); // no temporary file left
        }
    }

    @Test
    void theEntriesWrittenLongestAgoGoBeyondTheLimit() throws IOException {
        int files = ConfigTreeCache.MAX_ENTRIES + 3;
        for (int i = 0; i < files; i++) {
            parse(cache(BUILD), SOURCE, "/projects/p" + i + "/.llmo/models.yaml", ConfigLayer.PROJECT);
            Files.setLastModifiedTime(entry(ConfigLayer.PROJECT, "/projects/p" + i + "/.llmo/models.yaml"),
                    FileTime.fromMillis(1_000_000L * (i + 1)));
        }
        parse(cache(BUILD), SOURCE, FILE, ConfigLayer.USER);

        try (Stream<Path> entries = Files.list(tmp.resolve("cache/config"))) {
            assertThat(entries).hasSize(ConfigTreeCache.MAX_ENTRIES);
        }
        for (int i = 0; i < 4; i++) {
            assertThat(entry(ConfigLayer.PROJECT, "/projects/p" + i + "/.llmo/models.yaml")).doesNotExist();
        }
        assertThat(entry(ConfigLayer.PROJECT, "/projects/p4/.llmo/models.yaml")).exists();
        assertThat(entry(ConfigLayer.USER, FILE)).exists();
    }

    /** A valid head, then lists nested 100,000 deep: a reader without a depth limit would overflow its stack. */
    private static byte[] deeplyNested() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        head(bytes);
        DataOutputStream out = new DataOutputStream(bytes);
        for (int i = 0; i < 100_000; i++) {
            out.writeInt(1);
            out.writeInt(1);
            out.writeByte('L');
            out.writeInt(1);
        }
        return bytes.toByteArray();
    }

    /** A valid head, then a map that claims two billion entries: nothing may be allocated for them up front. */
    private static byte[] manyNodes() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        head(bytes);
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(1);
        out.writeInt(1);
        out.writeByte('L');
        out.writeInt(Integer.MAX_VALUE - 8);
        return bytes.toByteArray();
    }

    // the head of an entry for (BUILD, user, FILE, SOURCE), as encodeEntry writes it, without its tree
    private static void head(ByteArrayOutputStream bytes) {
        byte[] entry = ConfigSnapshot.encodeEntry(BUILD, ConfigLayer.USER, FILE, SOURCE,
                new MapNode(java.util.Map.of(), new Origin(ConfigLayer.USER, FILE, 1, 1)));
        bytes.write(entry, 0, entry.length - 13); // the empty map: origin (8), kind (1), size (4)
    }
}
