package dev.llmo.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmo.config.ConfigNode.MapNode;
import dev.llmo.config.YamlFiles;
import dev.llmo.failure.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A step's {@code schema:}, and the fields later steps read ({@code {{draft.title}}}), checked when parsed. */
class StructuredStepsTest {
    @TempDir
    Path tmp;

    private static ChainDefinition parse(String steps) {
        return parse(steps, "config.yaml");
    }

    private static ChainDefinition parse(String steps, String file) {
        MapNode root = YamlFiles.parse("chains:\n  article:\n    steps:\n" + steps, file, "user");
        MapNode chains = (MapNode) root.get("chains");
        return ChainParser.parse("article", chains.get("article"));
    }

    @Test
    void aSchemaAsDslYamlOrJsonAndTheFieldsLaterStepsRead() {
        ChainDefinition chain = parse("""
                      - name: outline
                        schema: "title, sections [str]"
                        schema_retries: 2
                      - name: people
                        schema_multi: { type: object, properties: { name: { type: string } }, required: [name] }
                      - name: write
                        prompt: "{{outline.title}}: {{outline.sections.0}} by {{people.0.name}}"
                        when: "outline.title contains 'a'"
                """);

        ChainStep outline = chain.steps().get(0);
        assertThat(outline.schema().schemaJson()).contains("\"sections\":{\"type\":\"array\"");
        assertThat(outline.schemaRetries()).isEqualTo(2);
        assertThat(chain.steps().get(1).schema().multi()).isTrue();
        assertThat(chain.steps().get(2).schema()).isNull();
    }

    /** A schema's numbers in YAML stay numbers in its JSON, decimals as written (they were once sent as text). */
    @Test
    void aYamlSchemasNumbersAreNumbers() {
        ChainDefinition chain = parse("""
                      - name: score
                        schema: { type: object, properties: { p: { type: number, minimum: 0.50, maximum: 100 } } }
                """);

        assertThat(chain.steps().get(0).schema().schemaJson())
                .contains("\"minimum\":0.50", "\"maximum\":100").doesNotContain("\"0.50\"");
    }

    @Test
    void aFieldTheSchemaDoesNotHaveNamesTheChainTheStepAndTheField() {
        assertThatThrownBy(() -> parse("""
                      - name: outline
                        schema: "title, sections [str]"
                      - name: write
                        prompt: "{{outline.titel}}"
                """)).isInstanceOf(ConfigException.class).hasMessage("config.yaml:7:17: chain 'article', step "
                + "'write': the prompt reads field 'titel' of step 'outline' ({{outline.titel}}), but by its schema "
                + "its answer has no field 'titel' (its fields: title, sections)");
    }

    @Test
    void aStepWithoutASchemaHasNoFields() {
        assertThatThrownBy(() -> parse("""
                      - name: notes
                      - name: write
                        when: "notes.title contains 'x'"
                """)).isInstanceOf(ConfigException.class).hasMessageContaining("chain 'article', step 'write': "
                + "'when' reads field 'title' of step 'notes' ({{notes.title}}), but that step declares no schema");
    }

    @Test
    void aListIsReadByIndex() {
        assertThatThrownBy(() -> parse("""
                      - name: people
                        schema_multi: "name"
                      - name: write
                        prompt: "{{people.name}}"
                """)).hasMessageContaining("its answer is a list: read an item by its index, e.g. 0");
        assertThatThrownBy(() -> parse("""
                      - name: outline
                        schema: "sections [str]"
                      - name: write
                        prompt: "{{outline.sections.first}}"
                """)).hasMessageContaining("'sections' is a list: read an item by its index, e.g. sections.0");
    }

    @Test
    void badSchemasAndRetriesAreConfigErrorsAtTheirPlace() {
        assertThatThrownBy(() -> parse("""
                      - name: outline
                        schema: "title, words inte"
                """)).hasMessageContaining("config.yaml:5:17: chain 'article', step 'outline': 'schema': field 2 "
                + "('words inte'): unknown type 'inte'");
        assertThatThrownBy(() -> parse("""
                      - name: outline
                        schema_retries: 2
                """)).hasMessageContaining("'schema_retries' needs 'schema'");
        assertThatThrownBy(() -> parse("""
                      - name: outline
                        schema: "title"
                        schema_retries: 99
                """)).hasMessageContaining("from 0 to 10");
        assertThatThrownBy(() -> parse("""
                      - name: outline
                        parallel: [a, b]
                        schema: "title"
                """)).hasMessageContaining("a schema on a 'parallel' step is not supported");
    }

    @Test
    void aSchemaFileIsReadBesideTheConfiguration() throws Exception {
        Files.writeString(tmp.resolve("outline.json"), "{\"type\":\"object\",\"properties\":{\"title\":{\"type\":"
                + "\"string\"}}}");
        ChainDefinition chain = parse("""
                      - name: outline
                        schema: outline.json
                      - name: write
                        prompt: "{{outline.title}}"
                """, tmp.resolve("config.yaml").toString());
        assertThat(chain.steps().get(0).schema().schemaJson()).contains("title");
    }

    @Test
    void aFieldReadsAsTextOrCompactJson() throws Exception {
        var answer = new ObjectMapper().readTree("{\"title\":\"CRDTs\",\"sections\":[\"Intro\",\"Merge\"],"
                + "\"meta\":{\"words\":900}}");
        assertThat(StepFields.value(answer, List.of("title"))).isEqualTo("CRDTs");
        assertThat(StepFields.value(answer, List.of("sections"))).isEqualTo("[\"Intro\",\"Merge\"]");
        assertThat(StepFields.value(answer, List.of("sections", "1"))).isEqualTo("Merge");
        assertThat(StepFields.value(answer, List.of("meta", "words"))).isEqualTo("900");
        assertThatThrownBy(() -> StepFields.value(answer, List.of("meta", "author")))
                .hasMessage("'meta' has no field 'author'");
        assertThatThrownBy(() -> StepFields.value(answer, List.of("sections", "5")))
                .hasMessage("'sections' has no item 5 (it has 2)");
    }
}
