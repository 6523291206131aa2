package dev.llmo.cli;

import static dev.llmo.cli.CliRunAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.llmo.failure.ExitCode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run refused for its flags or environment writes no conversation that a later -c would continue. */
class RefusedRunTest {
    @TempDir
    Path home;

    private CliRun cli() {
        return CliRun.in(home).env("OPENAI_API_KEY", "sk-x");
    }

    @Test
    void badFlagsAndVariablesLeaveNoLogBehind() {
        assertThat(cli().run("run", "-m", "openai", "--max-cost", "-1", "hi")).failedWith(ExitCode.USAGE);
        assertThat(cli().env("LLMO_READ_TIMEOUT", "abc").run("run", "-m", "openai", "hi")).failedWith(ExitCode.CONFIG);
        assertThat(cli().env("LLMO_LOG_SYNC", "always").run("run", "-m", "openai", "hi")).failedWith(ExitCode.CONFIG);
        assertThat(cli().env("LLMO_CONNECT_TIMEOUT", "-2").run("chain", "run", "code_review", "x").exitCode())
                .isEqualTo(3);

        assertThat(home.resolve("llmo/conversations")).satisfiesAnyOf(
                dir -> assertThat(dir).doesNotExist(),
                dir -> assertThat(Files.list(dir)).isEmpty());
    }

    @Test
    void theLogSyncVariableSaysWhatItAccepts() {
        CliRun.Result result = cli().env("LLMO_LOG_SYNC", "always").run("run", "-m", "openai", "hi");

        assertThat(result.err()).contains("LLMO_LOG_SYNC must be 'session' or 'event', not 'always'");
    }
}
