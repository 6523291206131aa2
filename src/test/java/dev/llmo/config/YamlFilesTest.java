package dev.llmo.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmo.config.ConfigNode.ListNode;
import dev.llmo.config.ConfigNode.MapNode;
import dev.llmo.config.ConfigNode.ScalarNode;
import dev.llmo.core.ConfigException;
import dev.llmo.core.ExitCode;
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
}
