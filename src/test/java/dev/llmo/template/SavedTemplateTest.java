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
    void yamlRoundTripKeepsTheSchemaItsKindAndRetries() {
        SavedTemplate multi = new SavedTemplate("Who is here?", null, null, List.of(), Map.of(), List.of(), List.of(),
                List.of(), Map.of(), new SavedTemplate.Schema("name, role: their job", true, 2));
        SavedTemplate file = new SavedTemplate(null, null, null, List.of(), Map.of(), List.of(), List.of(), List.of(),
                Map.of(), new SavedTemplate.Schema("/home/me/schemas/dog.json", false, null));
        SavedTemplate inline = new SavedTemplate(null, null, null, List.of(), Map.of(), List.of(), List.of(),
                List.of(), Map.of(), new SavedTemplate.Schema("{\"type\": \"object\",\n \"properties\": {}}", false, 0));

        String yaml = TemplateFile.yaml(multi);

        assertThat(yaml).contains("schema_multi: \"name, role: their job\"", "schema_retries: 2")
                .doesNotContain("schema:");
        assertThat(TemplateFile.parse(yaml, "t.yaml")).isEqualTo(multi);
        assertThat(TemplateFile.parse(TemplateFile.yaml(file), "t.yaml")).isEqualTo(file);
        assertThat(TemplateFile.parse(TemplateFile.yaml(inline), "t.yaml")).isEqualTo(inline);
        assertThat(TemplateFile.parse("prompt: hi\n", "t.yaml").schema()).isNull();
        // filling the placeholders keeps the schema
        assertThat(multi.fill(Map.of()).schema()).isEqualTo(multi.schema());
    }

    @Test
    void aTemplateSchemaMistakeNamesItsPlace() {
        assertThatThrownBy(() -> TemplateFile.parse("schema: a\nschema_multi: b\n", "t.yaml"))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("t.yaml:2:1:")
                .hasMessageContaining("not both");
        assertThatThrownBy(() -> TemplateFile.parse("schema: a\nschema_retries: many\n", "t.yaml"))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("t.yaml:2:")
                .hasMessageContaining("0 to 10, not 'many'");
        assertThatThrownBy(() -> TemplateFile.parse("schema: a\nschema_retries: 11\n", "t.yaml"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("0 to 10, not '11'");
        assertThatThrownBy(() -> TemplateFile.parse("schema: [a]\n", "t.yaml"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("'schema' of a template must be text");
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
