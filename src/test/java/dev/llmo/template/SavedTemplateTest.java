package dev.llmo.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmo.failure.ConfigException;
import dev.llmo.failure.UsageException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SavedTemplateTest {
    private static SavedTemplate template(String prompt, String system, Map<String, String> defaults) {
        return new SavedTemplate(prompt, system, null, List.of(), Map.of(), List.of(), List.of(), List.of(), defaults);
    }

    @Test
    void fillUsesValuesThenDefaults() {
        SavedTemplate template = template("Translate {{ input }} into {{lang}}", "You are {{who}}.",
                Map.of("lang", "French", "who", "a translator"));

        SavedTemplate filled = template.fill(Map.of("input", "cheese", "lang", "German"));

        assertThat(filled.prompt()).isEqualTo("Translate cheese into German");
        assertThat(filled.system()).isEqualTo("You are a translator.");
        assertThat(template.placeholders()).containsExactly("who", "input", "lang");
    }

    @Test
    void inputNotPlacedFollowsThePromptOrIsIt() {
        assertThat(template("Be brief.", null, Map.of()).fill(Map.of("input", "Why?")).prompt())
                .isEqualTo("Be brief.\n\nWhy?");
        assertThat(template(null, "sys", Map.of()).fill(Map.of("input", "Why?")).prompt()).isEqualTo("Why?");
        assertThat(template("Be brief.", null, Map.of()).fill(Map.of()).prompt()).isEqualTo("Be brief.");
    }

    @Test
    void valuesAreInsertedLiterally() {
        assertThat(template("{{a}}", null, Map.of()).fill(Map.of("a", "$1 \\ {{b}}")).prompt())
                .isEqualTo("$1 \\ {{b}}");
    }

    @Test
    void missingNamesEveryUnfilledPlaceholder() {
        SavedTemplate template = template("{{a}} {{b}} {{input}}", "{{c}}", Map.of("b", "x"));

        assertThat(template.missing(Map.of("input", " "))).containsExactly("c", "a", "input");
        assertThatThrownBy(() -> template.fill(Map.of("input", "in"))).isInstanceOf(UsageException.class)
                .hasMessageContaining("{{c}}").hasMessageContaining("(and a)")
                .extracting(e -> ((UsageException) e).fix()).isEqualTo("add -p c VALUE");
    }

    @Test
    void yamlRoundTripKeepsEveryValueExactly() {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("temperature", "0.20");
        options.put("stop", "[\"\\n\"]");
        options.put("flag", "true");
        SavedTemplate template = new SavedTemplate("Line one\nline: two {{input}}\n", "# not a comment", "Developer",
                List.of("openai/gpt-4o", "no"), options, List.of("notes.md", "-"), List.of("https://x.test/a?b=1"),
                List.of("fs.*"), Map.of("null", "~", "empty", ""));

        String yaml = TemplateFile.yaml(template);

        assertThat(TemplateFile.parse(yaml, "t.yaml")).isEqualTo(template);
    }

    @Test
    void aTemplateFileMistakeNamesItsPlace() {
        assertThatThrownBy(() -> TemplateFile.parse("prompt: hi\noptions: [a]\n", "t.yaml"))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("t.yaml:2:10: 'options' of a template");
        assertThatThrownBy(() -> TemplateFile.parse("model: a\nmodels: [b]\n", "t.yaml"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("not both");
        assertThat(TemplateFile.parse("model: a\n", "t.yaml").models()).containsExactly("a");
    }
}
