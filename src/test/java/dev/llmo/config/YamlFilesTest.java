package dev.llmo.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmo.config.ConfigNode.ListNode;
import dev.llmo.config.ConfigNode.MapNode;
import dev.llmo.config.ConfigNode.ScalarNode;
import dev.llmo.failure.ConfigException;
import dev.llmo.failure.ExitCode;
import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

class YamlFilesTest {

    @Test
    void keepsLineAndColumnOfEveryValue() {
        MapNode root = YamlFiles.parse("a: 1\nb:\n  - x\n  - y: 2.50\n", "f.yaml", "user");

        assertThat(root.get("a")).isEqualTo(new ScalarNode(1L, new Origin("user", "f.yaml", 1, 4)));
        ListNode list = (ListNode) root.get("b");
        assertThat(list.items().get(0).origin().where()).isEqualTo("f.yaml:3:5");
        ScalarNode price = (ScalarNode) ((MapNode) list.items().get(1)).get("y");
        assertThat(price.value()).isEqualTo(new BigDecimal("2.50"));
        assertThat(price.origin().line()).isEqualTo(4);
    }

    @Test
    void emptyDocumentIsAnEmptyMap() {
        assertThat(YamlFiles.parse("", "f.yaml", "user").entries()).isEmpty();
        assertThat(YamlFiles.parse("# only a comment\n", "f.yaml", "user").entries()).isEmpty();
    }

    @Test
    void syntaxErrorNamesFileLineAndColumn() {
        assertThatThrownBy(() -> YamlFiles.parse("a: 1\nb: [1, 2\nc: 3\n", "/x/models.yaml", "user"))
                .isInstanceOf(ConfigException.class)
                .hasMessageMatching("/x/models\\.yaml:\\d+:\\d+: .+")
                .satisfies(e -> assertThat(((ConfigException) e).exitCode()).isEqualTo(ExitCode.CONFIG));
    }

    @Test
    void badIndentationIsReportedAtItsLine() {
        assertThatThrownBy(() -> YamlFiles.parse("openai:\n  type: openai\n base_url: x\n", "m.yaml", "user"))
                .hasMessageStartingWith("m.yaml:3:");
    }

    @Test
    void duplicateKeyIsAnError() {
        assertThatThrownBy(() -> YamlFiles.parse("a: 1\na: 2\n", "f.yaml", "user"))
                .hasMessage("f.yaml:2:1: duplicate key 'a'");
    }

    @Test
    void topLevelMustBeAMapping() {
        assertThatThrownBy(() -> YamlFiles.parse("- a\n- b\n", "f.yaml", "user"))
                .hasMessage("f.yaml:1:1: the top level must be a mapping (key: value), not a list");
    }

    @Test
    void anAliasIsRefusedNotSentAsTheAnchorsName() {
        // Jackson hands "*prompt" over as the text "prompt": llmo would have sent the word instead of the value
        assertThatThrownBy(() -> YamlFiles.parse("a: &prompt Be brief.\nb: *prompt\n", "f.yaml", "user"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("f.yaml:2:4: YAML aliases (*prompt) are not supported");
        assertThatThrownBy(() -> YamlFiles.parse("base: &b {x: 1}\nc:\n  <<: *b\n", "f.yaml", "user"))
                .hasMessageStartingWith("f.yaml:3:7: YAML aliases (*b)");
    }

    @Test
    void anAnchorAloneIsHarmless() {
        MapNode root = YamlFiles.parse("a: &x hello\n", "f.yaml", "user");

        assertThat(((ScalarNode) root.get("a")).value()).isEqualTo("hello");
    }

    @Test
    void notANumberAndInfinityAreConfigErrorsAtTheirPlace() {
        for (String value : new String[] {".nan", ".inf", "-.inf", ".NaN"}) {
            assertThatThrownBy(() -> YamlFiles.parse("budget:\n  daily_usd: " + value + "\n", "c.yaml", "user"))
                    .isInstanceOf(ConfigException.class)
                    .hasMessage("c.yaml:2:14: '" + value + "' is not a finite number");
        }
    }

    @Test
    void aDecimalWithAnEnormousExponentIsOutOfRange() {
        assertThatThrownBy(() -> YamlFiles.parse("a: 1.0e+999999999\n", "c.yaml", "user"))
                .isInstanceOf(ConfigException.class).hasMessage("c.yaml:1:4: '1.0e+999999999' is out of range");
        assertThat(((ScalarNode) YamlFiles.parse("a: 1.5e+3\n", "c.yaml", "user").get("a")).value())
                .isEqualTo(new BigDecimal("1.5e+3"));
        assertThatThrownBy(() -> YamlFiles.parse("a: " + "9".repeat(101) + "\n", "c.yaml", "user"))
                .hasMessage("c.yaml:1:4: '" + "9".repeat(37) + "...' is out of range");
    }

    @Test
    void hugeWholeNumbersStayExact() {
        MapNode root = YamlFiles.parse("a: 123456789012345678901234567890\nb: 1_000\n", "f.yaml", "user");

        assertThat(((ScalarNode) root.get("a")).value()).isEqualTo(new BigDecimal("123456789012345678901234567890"));
        assertThat(((ScalarNode) root.get("b")).value()).isEqualTo(1000L);
    }

    @Test
    void nestingIsLimitedTo64Levels() {
        String ok = "a: " + "[".repeat(YamlFiles.MAX_DEPTH - 1) + "]".repeat(YamlFiles.MAX_DEPTH - 1) + "\n";
        assertThat(YamlFiles.parse(ok, "f.yaml", "user").entries()).containsKey("a");

        String deep = "a: " + "[".repeat(YamlFiles.MAX_DEPTH) + "]".repeat(YamlFiles.MAX_DEPTH) + "\n";
        assertThatThrownBy(() -> YamlFiles.parse(deep, "f.yaml", "user")).isInstanceOf(ConfigException.class)
                .hasMessage("f.yaml:1:" + (3 + YamlFiles.MAX_DEPTH) + ": nested more than 64 levels deep");
        String deeper = "a: " + "[".repeat(5000) + "]".repeat(5000) + "\n";
        assertThatThrownBy(() -> YamlFiles.parse(deeper, "f.yaml", "user"))
                .hasMessageStartingWith("f.yaml:1:").hasMessageContaining("nested more than 64 levels deep");
    }

    @Test
    void aLoneSurrogateIsAConfigError() {
        assertThatThrownBy(() -> YamlFiles.parse("roles:\n  A: { system: \"hi \\uD800\" }\n", "c.yaml", "user"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("c.yaml:2:16: the text holds a lone UTF-16 surrogate (\\uD800), which is not a character");
        assertThatThrownBy(() -> YamlFiles.parse("\"\\uDC00\": 1\n", "c.yaml", "user"))
                .hasMessageStartingWith("c.yaml:1:1: the text holds a lone UTF-16 surrogate (\\uDC00)");
        MapNode pair = YamlFiles.parse("a: \"\\uD83D\\uDE00\"\n", "f.yaml", "user");
        assertThat(((ScalarNode) pair.get("a")).value()).isEqualTo("\uD83D\uDE00");
    }
}
