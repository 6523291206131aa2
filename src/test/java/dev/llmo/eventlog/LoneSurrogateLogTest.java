package dev.llmo.eventlog;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server's malformed text (a lone UTF-16 surrogate, which UTF-8 cannot encode) is recorded with U+FFFD in its
 * place: 0.1.0 threw, and the event (an error message, an answer) was lost. The log stays canonical: the Java and
 * the independent Python verifier accept it.
 */
class LoneSurrogateLogTest {
    @TempDir
    Path dir;

    @Test
    void aLoneSurrogateIsWrittenAsTheReplacementCharacterAndTheLogVerifies() throws Exception {
        Path file;
        try (EventLog log = EventLog.create(dir, new EventData.SessionStart("run", RunMode.SINGLE, List.of("mock/m1"),
                Sha256.of("config"), "0.1.0"))) {
            log.append(new EventData.ErrorEvent(null, "server_error", 500, "bad \uD800 and \uDC00 end"));
            file = log.file();
        }
        String line = Files.readAllLines(file, StandardCharsets.UTF_8).get(1);
        assertThat(line).contains("\"message\":\"bad \uFFFD and \uFFFD end\"");
        assertThat(ChainVerifier.verify(file).ok()).isTrue();

        PythonVerifier.Result python = PythonVerifier.run(dir, file);
        assertThat(python.output()).isEqualTo("ok 2 events");
        assertThat(python.exitCode()).isZero();
    }
}
