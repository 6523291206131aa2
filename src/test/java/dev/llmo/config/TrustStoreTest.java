package dev.llmo.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmo.failure.ConfigException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrustStoreTest {
    private static final Instant NOW = Instant.parse("2026-12-01T08:00:00Z");
    @TempDir
    Path tmp;

    @Test
    void digestIsTheDocumentedSha256OfNameLengthAndBytes() throws Exception {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("config.yaml", "main_llm: openai\n".getBytes(StandardCharsets.UTF_8));
        files.put("models.yaml", "é: 1\n".getBytes(StandardCharsets.UTF_8));

        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        sha256.update("config.yaml\n17\nmain_llm: openai\n".getBytes(StandardCharsets.UTF_8));
        sha256.update("models.yaml\n6\né: 1\n".getBytes(StandardCharsets.UTF_8));

        assertThat(TrustStore.digest(files)).isEqualTo("sha256:" + HexFormat.of().formatHex(sha256.digest()));
        assertThat(TrustStore.digest(Map.of())).isEqualTo(
                "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    @Test
    void trustIsWrittenOwnerOnlyAndUntrustRemovesIt() throws Exception {
        Path file = tmp.resolve("data/trusted.json");
        TrustStore store = new TrustStore(file);
        String digest = "sha256:" + "ab".repeat(32);

        store.trust(Path.of("/src/b"), digest, NOW);
        store.trust(Path.of("/src/a"), digest, NOW);
        store.trust(Path.of("/src/b"), "sha256:" + "cd".repeat(32), NOW);

        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.readString(file)).contains("\"format\" : \"llmo-trust\"").contains("\"version\" : 1");
        assertThat(store.entries()).extracting(TrustStore.Entry::dir).containsExactly(Path.of("/src/a"), Path.of("/src/b"));
        assertThat(store.find(Path.of("/src/b")).orElseThrow().digest()).isEqualTo("sha256:" + "cd".repeat(32));
        assertThat(store.untrust(Path.of("/src/a"))).isTrue();
        assertThat(store.untrust(Path.of("/src/a"))).isFalse();
        assertThat(store.entries()).extracting(TrustStore.Entry::dir).containsExactly(Path.of("/src/b"));
        try (var leftovers = Files.list(file.getParent())) {
            assertThat(leftovers.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("trusted.json",
                    "trusted.json.lock");
        }
    }

    @Test
    void aFileOthersMayWriteIsNotHonoured() throws Exception {
        Path file = tmp.resolve("trusted.json");
        TrustStore store = new TrustStore(file);
        store.trust(Path.of("/src/a"), "sha256:" + "ab".repeat(32), NOW);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-rw-"));

        assertThat(store.find(Path.of("/src/a"))).isEmpty();
        assertThatThrownBy(store::entries).isInstanceOf(ConfigException.class)
                .hasMessage(file + ": others may write it, so it is not honoured");
    }

    @Test
    void aDamagedFileTrustsNothingAndIsReportedWhenListed() throws Exception {
        Path file = Files.writeString(tmp.resolve("trusted.json"), "{\"format\":\"llmo-trust\",\"version\":1,"
                + "\"projects\":[{\"dir\":\"relative\",\"digest\":\"sha256:00\"}]}");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        TrustStore store = new TrustStore(file);

        assertThat(store.find(Path.of("relative"))).isEmpty();
        assertThatThrownBy(store::entries).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(file + ": not a trust file llmo can read");
        Files.writeString(file, "{not json");
        assertThatThrownBy(store::entries).hasMessageEndingWith("it is not valid JSON");
    }
}
