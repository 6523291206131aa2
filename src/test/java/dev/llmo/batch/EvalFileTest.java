package dev.llmo.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmo.failure.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvalFileTest {
    @TempDir
    Path dir;

    @Test
    void anEvalFileGivesItsPromptModelsAndChecksAsTheCommandLineWritesThem() throws IOException {
        Path file = Files.writeString(dir.resolve("eval.yaml"), """
                prompt: "Answer: {{question}}"
                models: [mock/m1, mock/m2]
                asserts:
                  - contains: Paris
                  - max-latency: 5s
                  - judge: { model: mock/m1, rubric: "Is it right?" }
                """);
        EvalFile eval = EvalFile.read(file);
        assertThat(eval.prompt()).isEqualTo("Answer: {{question}}");
        assertThat(eval.models()).containsExactly("mock/m1", "mock/m2");
        assertThat(eval.asserts()).containsExactly("contains Paris", "max-latency 5s", "judge mock/m1 Is it right?");
    }

    @Test
    void aFileThatIsNotYamlIsNamedWithItsLineAndColumn() throws IOException {
        Path file = Files.writeString(dir.resolve("bad.yaml"), "prompt: x\nmodels: [1\n");
        assertThatThrownBy(() -> EvalFile.read(file)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(file + ":2:").hasMessageContaining(": not YAML: while parsing a flow sequence");
        Path unknown = Files.writeString(dir.resolve("keys.yaml"), "promt: x\n");
        assertThatThrownBy(() -> EvalFile.read(unknown)).isInstanceOf(ConfigException.class)
                .hasMessage(unknown + ": unknown key 'promt'");
    }
}
