package dev.llmo.template;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.llmo.config.ConfigLayer;
import dev.llmo.config.ConfigNode;
import dev.llmo.config.ConfigNode.ListNode;
import dev.llmo.config.ConfigNode.MapNode;
import dev.llmo.config.ConfigNode.ScalarNode;
import dev.llmo.config.NameSuggestions;
import dev.llmo.config.YamlFiles;
import dev.llmo.failure.ConfigException;
import dev.llmo.schema.AnswerSchema;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A template's YAML file: what {@link SavedTemplate} reads from and writes to. Read as hostile input (it may come
 * with a project), every mistake a {@code path:line:column: what} error (exit 3).
 * <pre>
 * prompt: "Summarise {{input}} as {{style}}"
 * system: You are terse.
 * models: [openai/gpt-4o-mini]
 * options: { temperature: "0.2" }
 * schema: "title, points [str]"
 * schema_retries: 1
 * defaults: { style: three bullet points }
 * </pre>
 */
public final class TemplateFile {
    private static final List<String> KEYS = List.of("prompt", "system", "role", "model", "models", "options",
            "fragments", "system_fragments", "tools", "schema", "schema_multi", "schema_retries", "defaults");
    private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE)
            .build());

    private TemplateFile() {
    }

    /** Parses a template; {@code file} names it in errors, {@code layer} is where it comes from (user, project). */
    public static SavedTemplate parse(String text, String file, String layer) {
        MapNode root = YamlFiles.parse(text, file, layer);
        for (String key : root.entries().keySet()) {
            if (!KEYS.contains(key)) {
                String hint = NameSuggestions.didYouMean(key, KEYS);
                throw new ConfigException(root.keyOrigin(key).where() + ": unknown key '" + key + "' in a template"
                        + (hint.isEmpty() ? " (known: " + String.join(", ", KEYS) + ")" : " (" + hint + ")"), null);
            }
        }
        if (root.get("model") != null && root.get("models") != null) {
            throw new ConfigException(root.keyOrigin("model").where()
                    + ": a template has 'model' or 'models', not both", "keep one of them");
        }
        List<String> models = root.get("model") != null ? List.of(text(root, "model")) : texts(root, "models");
        return new SavedTemplate(text(root, "prompt"), text(root, "system"), text(root, "role"), models,
                textMap(root, "options"), texts(root, "fragments"), texts(root, "system_fragments"),
                texts(root, "tools"), textMap(root, "defaults"), schema(root));
    }

    /** {@code schema} or {@code schema_multi} (not both), and {@code schema_retries}; null when none is set. */
    private static SavedTemplate.Schema schema(MapNode root) {
        if (root.get("schema") != null && root.get("schema_multi") != null) {
            throw new ConfigException(root.keyOrigin("schema_multi").where()
                    + ": a template has 'schema' or 'schema_multi', not both", "keep one of them");
        }
        String single = text(root, "schema");
        String multi = text(root, "schema_multi");
        Integer retries = null;
        String retriesText = text(root, "schema_retries");
        if (retriesText != null) {
            try {
                retries = Integer.valueOf(retriesText.strip());
            } catch (NumberFormatException e) {
                retries = -1;
            }
            if (retries < 0 || retries > AnswerSchema.MAX_RETRIES) {
                throw new ConfigException(root.get("schema_retries").origin().where()
                        + ": 'schema_retries' of a template must be a whole number from 0 to "
                        + AnswerSchema.MAX_RETRIES + ", not '" + retriesText + "'", null);
            }
        }
        if (single == null && multi == null && retries == null) {
            return null;
        }
        return new SavedTemplate.Schema(multi != null ? multi : single, multi != null, retries);
    }

    /** {@link #parse} of a user's template. */
    public static SavedTemplate parse(String text, String file) {
        return parse(text, file, ConfigLayer.USER);
    }

    /** The template as YAML, only what is set; {@link #parse} reads it back as the same template. */
    public static String yaml(SavedTemplate template) {
        ObjectNode root = YAML.createObjectNode();
        putText(root, "prompt", template.prompt());
        putText(root, "system", template.system());
        putText(root, "role", template.role());
        putList(root, "models", template.models());
        putMap(root, "options", template.options());
        putList(root, "fragments", template.fragments());
        putList(root, "system_fragments", template.systemFragments());
        putList(root, "tools", template.tools());
        if (template.schema() != null) {
            putText(root, template.schema().multi() ? "schema_multi" : "schema", template.schema().value());
            if (template.schema().retries() != null) {
                root.put("schema_retries", template.schema().retries());
            }
        }
        putMap(root, "defaults", template.defaults());
        try {
            return root.isEmpty() ? "{}\n" : YAML.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of strings always writes", e);
        }
    }

    private static void putText(ObjectNode root, String key, String value) {
        if (value != null) {
            root.put(key, value);
        }
    }

    private static void putList(ObjectNode root, String key, List<String> values) {
        if (!values.isEmpty()) {
            ArrayNode list = root.putArray(key);
            values.forEach(list::add);
        }
    }

    private static void putMap(ObjectNode root, String key, Map<String, String> values) {
        if (!values.isEmpty()) {
            ObjectNode map = root.putObject(key);
            values.forEach(map::put);
        }
    }

    private static String text(MapNode map, String key) {
        ConfigNode node = map.get(key);
        if (node == null || node instanceof ScalarNode s && s.value() == null) {
            return null;
        }
        if (node instanceof ScalarNode s) {
            return s.text();
        }
        throw new ConfigException(node.origin().where() + ": '" + key + "' of a template must be text, not "
                + node.kind(), null);
    }

    private static List<String> texts(MapNode map, String key) {
        ConfigNode node = map.get(key);
        List<String> values = new ArrayList<>();
        if (node == null || node instanceof ScalarNode s && s.value() == null) {
            return values;
        }
        for (ConfigNode item : node instanceof ListNode list ? list.items() : List.of(node)) {
            if (!(item instanceof ScalarNode s) || s.value() == null) {
                throw new ConfigException(item.origin().where() + ": '" + key
                        + "' of a template must be text or a list of text, not " + item.kind(), null);
            }
            values.add(s.text());
        }
        return values;
    }

    private static Map<String, String> textMap(MapNode map, String key) {
        ConfigNode node = map.get(key);
        Map<String, String> values = new LinkedHashMap<>();
        if (node == null || node instanceof ScalarNode s && s.value() == null) {
            return values;
        }
        if (!(node instanceof MapNode entries)) {
            throw new ConfigException(node.origin().where() + ": '" + key
                    + "' of a template must be a mapping (name: value), not " + node.kind(), null);
        }
        entries.entries().forEach((name, value) -> {
            if (!(value instanceof ScalarNode s)) {
                throw new ConfigException(value.origin().where() + ": '" + key + "." + name
                        + "' of a template must be text or a number, not " + value.kind(), null);
            }
            values.put(name, s.text());
        });
        return values;
    }
}
