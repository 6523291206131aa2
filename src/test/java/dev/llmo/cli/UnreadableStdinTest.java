package dev.llmo.cli;

import static dev.llmo.cli.CliRunAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.llmo.failure.ExitCode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A stdin that cannot be read ({@code llmo run hi < somedir}) is the user's to fix: exit 2 with a fix, everywhere. */
class UnreadableStdinTest {
    @TempDir
    Path home;

    /** What reading a directory redirected into stdin does. */
    private static InputStream directory() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("Is a directory");
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                throw new IOException("Is a directory");
            }
        };
    }

    private CliRun.Result llmo(String... args) {
        return CliRun.in(home).env("OPENAI_API_KEY", "sk-test").stdin(directory()).run(args);
    }

    private static final String FIX = "; redirect a file or pipe text into it, not a directory: < notes.md, or cat "
            + "notes.md | llmo ...\n";

    @Test
    void theRunPromptsStdin() {
        CliRun.Result result = llmo("run", "-m", "openai/gpt-4o-mini", "hi");

        assertThat(result).failedWith(ExitCode.USAGE).outIsEmpty();
        assertThat(result.err()).isEqualTo("llmo: error: cannot read stdin: Is a directory" + FIX);
    }

    @Test
    void aFragmentFromStdin() {
        CliRun.Result result = llmo("run", "-m", "openai/gpt-4o-mini", "-f", "-", "hi");

        assertThat(result).failedWith(ExitCode.USAGE).outIsEmpty();
        assertThat(result.err()).isEqualTo("llmo: error: cannot read stdin for -f: Is a directory" + FIX);
    }

    @Test
    void aScriptedChat() {
        CliRun.Result result = llmo("chat", "-m", "openai/gpt-4o-mini");

        assertThat(result).failedWith(ExitCode.USAGE).outIsEmpty();
        assertThat(result.err()).isEqualTo("llmo: error: cannot read stdin: Is a directory" + FIX);
    }
}
