package dev.llmo.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The configuration's digest: each file's name and text count, and the built-in part may come from the build. */
class ConfigDigestTest {
    @Test
    void everyFilesNameAndTextCount() {
        String base = digest("(built-in) models.yaml", "a: 1\n", "/home/u/models.yaml", "b: 2\n").value();

        assertThat(base).startsWith("sha256:").hasSize(7 + 64)
                .isEqualTo(digest("(built-in) models.yaml", "a: 1\n", "/home/u/models.yaml", "b: 2\n").value())
                .isNotEqualTo(digest("(built-in) models.yaml", "a: 2\n", "/home/u/models.yaml", "b: 2\n").value())
                .isNotEqualTo(digest("(built-in) models.yaml", "a: 1\n", "/home/u/models.yaml", "b: 3\n").value())
                .isNotEqualTo(digest("(built-in) models.yaml", "a: 1\n", "/home/v/models.yaml", "b: 2\n").value())
                .isNotEqualTo(digest("(built-in) config.yaml", "a: 1\n", "/home/u/models.yaml", "b: 2\n").value());
        // a file's text cannot pass for the next file's name: each is framed by its length
        assertThat(digest("(built-in) models.yaml", "a: 1\n", "/home/u/x.yaml", "y\n").value())
                .isNotEqualTo(digest("(built-in) models.yaml", "a: 1\n/home/u/x.yaml\n2\ny\n", "", "").value());
    }

    @Test
    void theBuiltInPartGivenByTheBuildMakesTheSameDigest() {
        ConfigDigest given = digest("(built-in) models.yaml", "a: 1\n", "/home/u/models.yaml", "b: 2\n");
        given.builtInDigest(ConfigDigest.builtIn(List.of("(built-in) models.yaml"), List.of("a: 1\n")));

        assertThat(given.value())
                .isEqualTo(digest("(built-in) models.yaml", "a: 1\n", "/home/u/models.yaml", "b: 2\n").value());
    }

    @Test
    void theBuildBundlesTheBuiltInFilesDigest() throws IOException {
        List<String> names = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        for (String file : List.of(ConfigLoader.CONFIG_FILE, ConfigLoader.MODELS_FILE)) {
            try (InputStream in = OwnResources.class.getResourceAsStream(ConfigLoader.BUILT_IN_RESOURCES + file)) {
                names.add(ConfigLoader.builtInName(file));
                texts.add(ConfigFiles.text(in.readAllBytes(), ConfigLoader.builtInName(file)));
            }
        }

        assertThat(new String(OwnResources.bundled(ConfigLoader.BUILT_IN_DIGEST), StandardCharsets.US_ASCII))
                .isEqualTo(ConfigDigest.builtIn(names, texts));
    }

    private static ConfigDigest digest(String builtInName, String builtInText, String name, String text) {
        ConfigDigest digest = new ConfigDigest();
        digest.addBuiltIn(builtInName, builtInText);
        if (!name.isEmpty()) {
            digest.add(name, text);
        }
        return digest;
    }
}
