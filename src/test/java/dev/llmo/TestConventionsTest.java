package dev.llmo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Rules of CONTRIBUTING.md that keep the suite fast, read from the test sources so that a new test cannot slip
 * back: MockWebServer's own constructor keeps Nagle's algorithm on and makes each answer wait ~40 ms for a
 * delayed ACK (stop 29 found 15 files that had drifted back to it).
 */
class TestConventionsTest {
    // split so that this file does not match itself
    private static final String PLAIN_SERVER = "new " + "MockWebServer(";

    @Test
    void everyTestHttpServerComesFromMockServers() throws IOException {
        try (Stream<Path> files = Files.walk(Path.of("src/test/java"))) {
            List<String> offenders = files.filter(f -> f.toString().endsWith(".java"))
                    .filter(f -> !f.getFileName().toString().equals("MockServers.java"))
                    .filter(f -> read(f).contains(PLAIN_SERVER))
                    .map(Path::toString)
                    .toList();
            assertThat(offenders).as("test files that make a MockWebServer with its constructor instead of MockServers.create()").isEmpty();
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
