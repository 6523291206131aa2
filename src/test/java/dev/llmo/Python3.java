package dev.llmo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The python3 the tests run (the independent log verifier, MCP test servers): the interpreter itself, asked once,
 * rather than {@code python3} from PATH each time. Where PATH leads to a version manager's shim (pyenv's is a bash
 * script that runs pyenv), each start would cost about 0.3 s of CPU before Python starts.
 */
public final class Python3 {
    private static String executable;

    private Python3() {
    }

    /** The absolute path of the interpreter that {@code python3} on PATH runs; {@code "python3"} if it cannot be asked. */
    public static synchronized String executable() {
        if (executable == null) {
            executable = ask();
        }
        return executable;
    }

    private static String ask() {
        try {
            Process process = new ProcessBuilder("python3", "-c", "import sys; print(sys.executable)")
                    .redirectErrorStream(true).start();
            process.getOutputStream().close();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (process.waitFor(60, TimeUnit.SECONDS) && process.exitValue() == 0 && out.startsWith("/")
                    && Files.isExecutable(Path.of(out))) {
                return out;
            }
            process.destroyForcibly();
        } catch (IOException e) {
            // no python3 on PATH: the callers start "python3" and fail or skip as they would have
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return "python3";
    }
}
