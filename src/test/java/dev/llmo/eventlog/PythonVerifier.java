package dev.llmo.eventlog;

import dev.llmo.Python3;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Runs the Python verifier printed in docs/usage/event-log.md: a verifier written independently of the Java code,
 * and proof that the documented one works.
 */
public final class PythonVerifier {
    public record Result(int exitCode, String output) {
    }

    static String script() throws IOException {
        String doc = Files.readString(Path.of("docs/usage/event-log.md"), StandardCharsets.UTF_8);
        int start = doc.indexOf("```python\n");
        int end = doc.indexOf("```", start + 10);
        if (start < 0 || end < 0) {
            throw new IllegalStateException("docs/usage/event-log.md has no ```python block");
        }
        return doc.substring(start + "```python\n".length(), end);
    }

    public static Result run(Path workDir, Path log) throws Exception {
        Path script = workDir.resolve("verify_llmo_log.py");
        Files.writeString(script, script(), StandardCharsets.UTF_8);
        Process process = new ProcessBuilder(Python3.executable(), script.toString(), log.toString())
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("python3 did not finish");
        }
        return new Result(process.exitValue(), output);
    }
}
