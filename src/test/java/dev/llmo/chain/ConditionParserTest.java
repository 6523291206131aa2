package dev.llmo.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ConditionParserTest {
    private final Map<String, String> vars = Map.of("output", "All tests PASS, LGTM", "review", "found a bug");

    private boolean eval(String condition) {
        return ConditionParser.parse(condition).test(vars);
    }

    @Test
    void containsAndMatches() {
        assertThat(eval("output contains 'LGTM'")).isTrue();
        assertThat(eval("output contains \"lgtm\"")).isFalse();
        assertThat(eval("output matches '(?i)tests? pass'")).isTrue();
        assertThat(eval("review matches '^bug'")).isFalse();
    }

    @Test
    void notBindsTighterThanAndWhichBindsTighterThanOr() {
        assertThat(eval("not review contains 'bug'")).isFalse();
        assertThat(eval("review contains 'bug' or output contains 'x' and output contains 'y'")).isTrue();
        assertThat(eval("(review contains 'bug' or output contains 'x') and output contains 'y'")).isFalse();
        assertThat(eval("not (review contains 'nothing' or output contains 'nothing')")).isTrue();
    }

    @Test
    void quotesInsideTextAreDoubled() {
        assertThat(ConditionParser.parse("output contains 'it''s'").test(Map.of("output", "it's done"))).isTrue();
    }

    @Test
    void variablesAreReportedForValidation() {
        assertThat(ConditionParser.parse("a contains 'x' or not b matches 'y'").variables()).containsExactly("a", "b");
    }

    @Test
    void malformedConditionsSayWhy() {
        assertThatThrownBy(() -> ConditionParser.parse("output has 'x'")).hasMessageContaining("expected 'contains' or 'matches'");
        assertThatThrownBy(() -> ConditionParser.parse("output contains x")).hasMessageContaining("expected a quoted text");
        assertThatThrownBy(() -> ConditionParser.parse("output contains 'x")).hasMessageContaining("unclosed quote");
        assertThatThrownBy(() -> ConditionParser.parse("(output contains 'x'")).hasMessageContaining("missing ')'");
        assertThatThrownBy(() -> ConditionParser.parse("output matches '['")).hasMessageContaining("bad regex");
        assertThatThrownBy(() -> ConditionParser.parse("output contains 'x' extra")).hasMessageContaining("unexpected 'extra'");
        assertThatThrownBy(() -> ConditionParser.parse("  ")).hasMessage("empty condition");
    }
}
