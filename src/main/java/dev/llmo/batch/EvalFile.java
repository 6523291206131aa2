package dev.llmo.batch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.llmo.failure.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An eval file ({@code --eval FILE}): YAML with the batch's {@code prompt}, {@code system}, {@code models} and
 * {@code asserts} (each given on the command line too; the command line adds to the file's asserts and wins
 * otherwise):
 *
 * <pre>
 * prompt: "Answer in one word: {{question}}"
 * models: [openai/gpt-4o-mini, anthropic]
 * asserts:
 *   - equals: "{{expected}}"
 *   - max-latency: 2s
 *   - judge: { model: openai/gpt-4o, rubric: "Is it correct? The expected answer is {{expected}}." }
 * </pre>
 */
public record EvalFile(String prompt, String system, List<String> models, List<String> asserts) {
    private static final long MAX_BYTES = 1 << 20;
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    public static EvalFile read(Path file) {
        JsonNode root;
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw new ConfigException(file + ": an eval file of more than 1 MiB", "keep the rows in the dataset");
            }
            root = YAML.readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new ConfigException("no eval file at " + file, "check the path given to --eval");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            var at = e.getLocation();
            throw new ConfigException(file + (at == null ? "" : ":" + at.getLineNr() + ":" + at.getColumnNr())
                    + ": not YAML: " + firstLine(e.getOriginalMessage()), "fix the file at that place");
        } catch (IOException e) {
            throw new ConfigException("cannot read the eval file " + file + ": " + e.getMessage(),
                    "check the path given to --eval");
        }
        if (root == null || !root.isObject()) {
            throw new ConfigException(file + ": an eval file is a mapping (prompt:, models:, asserts:)",
                    "see docs/usage/batch.md");
        }
        for (var it = root.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!List.of("prompt", "system", "models", "asserts").contains(key)) {
                throw new ConfigException(file + ": unknown key '" + key + "'", "the keys are prompt, system, models, "
                        + "asserts");
            }
        }
        List<String> models = new ArrayList<>();
        root.path("models").forEach(model -> models.add(model.asText()));
        if (root.path("models").isTextual()) {
            models.add(root.get("models").asText());
        }
        List<String> asserts = new ArrayList<>();
        int index = 0;
        for (JsonNode item : root.path("asserts")) {
            index++;
            asserts.add(written(file, index, item));
        }
        return new EvalFile(root.path("prompt").textValue(), root.path("system").textValue(), models, asserts);
    }

    /** One {@code asserts:} item as the command line writes it: {@code contains Paris}. */
    private static String written(Path file, int index, JsonNode item) {
        if (item.isTextual()) {
            return item.asText();
        }
        if (!item.isObject() || item.size() != 1) {
            throw new ConfigException(file + ": asserts item " + index + " is not one 'kind: argument'",
                    "e.g. '- contains: Paris' or '- judge: { model: openai, rubric: \"Is it polite?\" }'");
        }
        Map.Entry<String, JsonNode> entry = item.fields().next();
        JsonNode value = entry.getValue();
        if (entry.getKey().equals("judge")) {
            if (!value.path("model").isTextual() || !value.path("rubric").isTextual()) {
                throw new ConfigException(file + ": asserts item " + index + ": a judge needs model: and rubric:",
                        "e.g. '- judge: { model: openai, rubric: \"Is it polite?\" }'");
            }
            return "judge " + value.get("model").asText() + " " + value.get("rubric").asText();
        }
        if (entry.getKey().equals("json-schema") && value.isObject()) {
            // a schema written in YAML is the same JSON Schema
            return "json-schema " + value;
        }
        if (!value.isValueNode()) {
            throw new ConfigException(file + ": asserts item " + index + ": the argument of " + entry.getKey()
                    + " is one value", "e.g. '- " + entry.getKey() + ": TEXT'");
        }
        return entry.getKey() + " " + value.asText();
    }

    private static String firstLine(String message) {
        String text = message == null ? "" : message;
        int end = text.indexOf('\n');
        return end < 0 ? text : text.substring(0, end);
    }
}
