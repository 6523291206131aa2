package dev.llmo.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmo.config.CompactStep;
import org.junit.jupiter.api.Test;

class CompactStepTest {

    @Test
    void theSeedsExamplesParseExactly() {
        assertThat(CompactStep.parse("GenerateCode>/Developer)-gemini"))
                .isEqualTo(new CompactStep("GenerateCode", "Developer", "gemini"));
        assertThat(CompactStep.parse("Critique>/Tester)-anthropic"))
                .isEqualTo(new CompactStep("Critique", "Tester", "anthropic"));
    }

    @Test
    void modelMayBeAnyReference() {
        assertThat(CompactStep.parse("Summarize>/Research)-openrouter/meta-llama/llama-3.3-70b-instruct:free").model())
                .isEqualTo("openrouter/meta-llama/llama-3.3-70b-instruct:free");
        assertThat(CompactStep.parse("Draft>/Creative)-claude-haiku-4-5").model()).isEqualTo("claude-haiku-4-5");
    }

    @Test
    void emptyRoleMeansNone() {
        assertThat(CompactStep.parse("Translate>/)-openai").role()).isNull();
    }

    @Test
    void malformedStringsSayWhatIsMissing() {
        assertThatThrownBy(() -> CompactStep.parse("GenerateCode/Developer)-gemini")).hasMessageContaining("no '>/'");
        assertThatThrownBy(() -> CompactStep.parse("GenerateCode>/Developer-gemini"))
                .hasMessageContaining("no ')-' after the role");
        assertThatThrownBy(() -> CompactStep.parse(">/Developer)-gemini")).hasMessageContaining("step name");
        assertThatThrownBy(() -> CompactStep.parse("Go>/Developer)-")).hasMessageContaining("the model after ')-' is empty");
    }
}
