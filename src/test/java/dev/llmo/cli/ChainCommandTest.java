package dev.llmo.cli;

import static dev.llmo.cli.CliRunAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.llmo.failure.ExitCode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChainCommandTest {
    @TempDir
    Path home;

    @Test
    void validateReportsEveryBrokenChainAndExits3() throws Exception {
        Files.createDirectories(home.resolve("llmo"));
        Files.writeString(home.resolve("llmo/config.yaml"), "chains:\n  loop:\n    steps:\n      - name: a\n"
                + "        repeat: { until: \"output contains 'x'\" }\n  typo:\n    - \"A>/Tester)-antropic\"\n");

        CliRun.Result result = CliRun.in(home).run("chain", "validate");

        assertThat(result).failedWith(ExitCode.CONFIG).outIs("ok  code_review (2 steps)\n");
        assertThat(result.err()).contains("chain 'loop', step 'a': 'repeat' has no 'max'")
                .contains("chain 'typo', step 'A': unknown model 'antropic' (did you mean 'anthropic'");
        assertThat(result.err().lines()).hasSize(2);
    }

    @Test
    void showPrintsThePlan() {
        CliRun.Result result = CliRun.in(home).run("chain", "show", "code_review");

        assertThat(result).succeeded();
        assertThat(result.out()).contains("1. GenerateCode  model: gemini  role: Developer")
                .contains("2. Critique  model: anthropic  role: Tester").contains("   | {{previous}}");
    }
}
