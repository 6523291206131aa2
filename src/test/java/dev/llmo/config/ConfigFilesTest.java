package dev.llmo.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.llmo.failure.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Configuration files are read as hostile input: what would hang, exhaust memory or take minutes is refused. */
class ConfigFilesTest {
    @TempDir
    Path tmp;

    private Settings loadWithUserDir(Path user) {
        return ConfigLoader.load(new AppDirs(user, tmp.resolve("data"), tmp.resolve("etc")), tmp, Map.of());
    }

    @Test
    void aFifoNamedConfigYamlIsRefusedInsteadOfBlocking() throws Exception {
        Path user = Files.createDirectories(tmp.resolve("user"));
        Path fifo = user.resolve("config.yaml");
        Process mkfifo;
        try {
            mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        } catch (IOException e) {
            assumeTrue(false, "mkfifo is not available");
            return;
        }
        assumeTrue(mkfifo.waitFor() == 0, "mkfifo failed");

        assertThatThrownBy(() -> loadWithUserDir(user)).isInstanceOf(ConfigException.class)
                .hasMessage(fifo + ": not a regular file (a FIFO, socket or device)");
    }

    @Test
    void aDirectoryNamedModelsYamlIsRefused() throws IOException {
        Path user = Files.createDirectories(tmp.resolve("user"));
        Files.createDirectories(user.resolve("models.yaml"));

        assertThatThrownBy(() -> loadWithUserDir(user)).isInstanceOf(ConfigException.class)
                .hasMessage(user.resolve("models.yaml") + ": not a regular file (a directory)");
    }

    @Test
    void aFileOverOneMebibyteIsRefusedBeforeParsing() throws IOException {
        Path user = Files.createDirectories(tmp.resolve("user"));
        Path file = user.resolve("config.yaml");
        // a 10 MB string took snakeyaml 17 s to reject in 0.1.0
        Files.writeString(file, "main_llm: \"" + "x".repeat(10_000_000) + "\"\n");

        assertThatThrownBy(() -> loadWithUserDir(user)).isInstanceOf(ConfigException.class)
                .hasMessage(file + ": larger than 1 MiB, the limit for a configuration file");
    }

    @Test
    void exactlyTheLimitIsRead() throws IOException {
        Path file = tmp.resolve("models.yaml");
        String head = "# padding\n";
        Files.writeString(file, head + "#".repeat((int) ConfigFiles.MAX_BYTES - head.length() - 1) + "\n");

        assertThat(ConfigFiles.read(file)).hasSize((int) ConfigFiles.MAX_BYTES);
    }

    @Test
    void aSymbolicLinkToARegularFileIsFollowed() throws IOException {
        Path real = Files.writeString(tmp.resolve("real.yaml"), "a: 1\n");
        Path link = Files.createSymbolicLink(tmp.resolve("config.yaml"), real);

        assertThat(ConfigFiles.read(link)).isEqualTo("a: 1\n".getBytes());
        assertThat(ConfigFiles.read(tmp.resolve("missing.yaml"))).isNull();
    }

    @Test
    void invalidUtf8IsAConfigError() {
        assertThatThrownBy(() -> ConfigFiles.text(new byte[] {'a', ':', ' ', (byte) 0xED, (byte) 0xA0, (byte) 0x80},
                "/x/config.yaml")).isInstanceOf(ConfigException.class).hasMessage("/x/config.yaml: not valid UTF-8 text");
    }
}
