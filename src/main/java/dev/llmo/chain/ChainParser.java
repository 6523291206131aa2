package dev.llmo.chain;

import dev.llmo.config.CompactStep;
import dev.llmo.config.ConfigNode;
import dev.llmo.config.ConfigNode.ListNode;
import dev.llmo.config.ConfigNode.MapNode;
import dev.llmo.config.ConfigNode.ScalarNode;
import dev.llmo.config.NameSuggestions;
import dev.llmo.failure.ConfigException;
import dev.llmo.schema.AnswerSchema;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a chain from config.yaml, in the compact form (a list of {@code "STEP>/ROLE)-MODEL"} strings) or the YAML
 * form ({@code description}, {@code steps} with name, model or parallel, role, prompt, when, repeat). Checks all
 * that needs no other configuration: step shapes, template variables, conditions, bounded loops.
 */
public final class ChainParser {
    public static final String INPUT = "input";
    public static final String PREVIOUS = "previous";
    public static final String OUTPUT = "output";
    static final List<String> STEP_KEYS = List.of("name", "model", "parallel", "role", "prompt", "when", "repeat",
            "tools", "schema", "schema_multi", "schema_retries", "attach");
    /** More schema retries than this is a typo, and a bill (as {@code --schema-retries}). */
    static final int MAX_SCHEMA_RETRIES = 10;
    static final int MAX_REPEAT = 100;

    private ChainParser() {
    }

    public static ChainDefinition parse(String name, ConfigNode node) {
        String description = null;
        ConfigNode stepsNode = node;
        if (node instanceof MapNode map) {
            for (String key : map.entries().keySet()) {
                if (!List.of("description", "steps").contains(key)) {
                    throw problem(map.keyOrigin(key).where(), name, null, "unknown key '" + key
                            + "' (a chain has 'description' and 'steps')");
                }
            }
            description = map.get("description") instanceof ScalarNode d && d.value() != null ? d.text() : null;
            stepsNode = map.get("steps");
            if (stepsNode == null) {
                throw problem(node.origin().where(), name, null, "has no 'steps'");
            }
        }
        if (stepsNode instanceof ListNode empty && empty.items().isEmpty()) {
            throw problem(stepsNode.origin().where(), name, null,
                    "has no steps: give at least one (\"STEP>/ROLE)-MODEL\" strings or step mappings)");
        }
        if (!(stepsNode instanceof ListNode list)) {
            throw problem(stepsNode.origin().where(), name, null,
                    "must be a list of steps (\"STEP>/ROLE)-MODEL\" strings or step mappings), not " + stepsNode.kind());
        }
        List<ChainStep> steps = new ArrayList<>();
        Set<String> earlier = new LinkedHashSet<>();
        Map<String, AnswerSchema> schemas = new LinkedHashMap<>();
        for (ConfigNode item : list.items()) {
            ChainStep step = item instanceof ScalarNode s && s.value() instanceof String text
                    ? compact(name, text, item, steps.isEmpty())
                    : yaml(name, item, steps.isEmpty(), earlier, schemas);
            if (!earlier.add(step.name())) {
                throw problem(item.origin().where(), name, step.name(), "two steps are named '" + step.name() + "'");
            }
            if (step.schema() != null) {
                schemas.put(step.name(), step.schema());
            }
            steps.add(step);
        }
        return new ChainDefinition(name, description, steps, node.origin());
    }

    private static ChainStep compact(String chain, String text, ConfigNode node, boolean first) {
        CompactStep compact;
        try {
            compact = CompactStep.parse(text);
        } catch (IllegalArgumentException e) {
            throw problem(node.origin().where(), chain, null, e.getMessage());
        }
        // The step name is the instruction; the step works on the chain input or the previous answer.
        Template prompt = new Template(compact.step() + "\n\n{{" + (first ? INPUT : PREVIOUS) + "}}");
        return new ChainStep(compact.step(), List.of(compact.model()), false, compact.role(), prompt, null, null, null,
                node.origin(), List.of(), null, 0);
    }

    private static ChainStep yaml(String chain, ConfigNode node, boolean first, Set<String> earlier,
                                  Map<String, AnswerSchema> schemas) {
        if (!(node instanceof MapNode map)) {
            throw problem(node.origin().where(), chain, null, "a step must be a \"STEP>/ROLE)-MODEL\" string or a "
                    + "mapping with name, model, prompt..., not " + node.kind());
        }
        String stepName = text(map, "name", chain, null);
        if (stepName == null || stepName.isBlank()) {
            throw problem(map.origin().where(), chain, null, "a step needs a 'name'");
        }
        for (String key : map.entries().keySet()) {
            if (!STEP_KEYS.contains(key)) {
                String hint = NameSuggestions.didYouMean(key, STEP_KEYS);
                throw problem(map.keyOrigin(key).where(), chain, stepName, "unknown key '" + key + "'"
                        + (hint.isEmpty() ? " (known: " + String.join(", ", STEP_KEYS) + ")" : " (" + hint + ")"));
            }
        }
        List<String> models = new ArrayList<>();
        boolean parallel = map.get("parallel") != null;
        if (parallel && map.get("model") != null) {
            throw problem(map.keyOrigin("parallel").where(), chain, stepName, "has both 'model' and 'parallel'; "
                    + "use 'parallel: [a, b]' alone to send the same prompt to several models");
        }
        if (parallel) {
            if (!(map.get("parallel") instanceof ListNode list) || list.items().size() < 2) {
                throw problem(map.get("parallel").origin().where(), chain, stepName,
                        "'parallel' must list at least two models, e.g. parallel: [openai, anthropic]");
            }
            for (ConfigNode model : list.items()) {
                if (!(model instanceof ScalarNode s) || !(s.value() instanceof String reference)) {
                    throw problem(model.origin().where(), chain, stepName, "'parallel' must list model names");
                }
                models.add(reference);
            }
        } else if (text(map, "model", chain, stepName) != null) {
            models.add(text(map, "model", chain, stepName));
        }
        String promptText = text(map, "prompt", chain, stepName);
        Template prompt = new Template(promptText != null ? promptText : "{{" + (first ? INPUT : PREVIOUS) + "}}");
        ChainStep.Repeat repeat = repeat(map, chain, stepName);
        Set<String> known = new LinkedHashSet<>(earlier);
        known.add(INPUT);
        known.add(PREVIOUS);
        Condition when = null;
        String whenSource = text(map, "when", chain, stepName);
        if (whenSource != null) {
            when = condition(whenSource, map.get("when"), chain, stepName);
            checkVariables(when.variables(), known, schemas, map.get("when"), chain, stepName, "'when'");
        }
        if (repeat != null) {
            known.add(OUTPUT);
            checkVariables(repeat.until().variables(), known, schemas, map.get("repeat"), chain, stepName,
                    "'repeat.until'");
        }
        checkVariables(prompt.variables(), known, schemas, map.get("prompt") != null ? map.get("prompt") : map, chain,
                stepName, "the prompt");
        AnswerSchema schema = schema(map, chain, stepName);
        if (schema != null && parallel) {
            throw problem(map.keyOrigin(map.get("schema") != null ? "schema" : "schema_multi").where(), chain,
                    stepName, "a schema on a 'parallel' step is not supported: its answers are several; give the "
                            + "schema to a step after it that reads them");
        }
        return new ChainStep(stepName, models, parallel, text(map, "role", chain, stepName), prompt, when, whenSource,
                repeat, map.origin(), tools(map, chain, stepName), schema, schemaRetries(map, chain, stepName, schema),
                attach(map, chain, stepName));
    }

    /** {@code attach: [chart.png, https://example.org/a.pdf]}: what the step attaches to its prompt, as -a takes it. */
    private static List<String> attach(MapNode step, String chain, String stepName) {
        ConfigNode node = step.get("attach");
        if (node == null) {
            return List.of();
        }
        List<ConfigNode> items = node instanceof ListNode list ? list.items() : List.of(node);
        List<String> attach = new ArrayList<>();
        for (ConfigNode item : items) {
            if (!(item instanceof ScalarNode s) || !(s.value() instanceof String spec) || spec.isBlank()
                    || spec.strip().equals("-")) {
                throw problem(item.origin().where(), chain, stepName, "'attach' must list paths or URLs, e.g. "
                        + "attach: [chart.png, https://example.org/report.pdf]");
            }
            attach.add(spec.strip());
        }
        return attach;
    }

    /**
     * {@code schema:} or {@code schema_multi:}: the schema as YAML (a mapping), or as text: inline JSON, a JSON file
     * (relative to the file the chain is in), or the concise DSL.
     */
    private static AnswerSchema schema(MapNode step, String chain, String stepName) {
        ConfigNode single = step.get("schema");
        ConfigNode multi = step.get("schema_multi");
        if (single != null && multi != null) {
            throw problem(step.keyOrigin("schema_multi").where(), chain, stepName, "has both 'schema' and "
                    + "'schema_multi'; give one");
        }
        ConfigNode node = single != null ? single : multi;
        if (node == null) {
            return null;
        }
        String key = single != null ? "'schema'" : "'schema_multi'";
        try {
            if (node instanceof MapNode) {
                return AnswerSchema.of(ConfigNode.json(node), multi != null);
            }
            if (node instanceof ScalarNode s && s.value() instanceof String text) {
                // a schema file sits beside the configuration that names it
                java.nio.file.Path file = node.origin().line() > 0 && node.origin().file() != null
                        ? java.nio.file.Path.of(node.origin().file()) : null;
                java.nio.file.Path base = file == null || file.getParent() == null ? java.nio.file.Path.of(".")
                        : file.getParent();
                return AnswerSchema.parse(text, base, multi != null);
            }
        } catch (IllegalArgumentException e) {
            throw problem(node.origin().where(), chain, stepName, key + ": " + e.getMessage());
        }
        throw problem(node.origin().where(), chain, stepName, key + " must be a JSON Schema (a mapping), or text: "
                + "JSON, a file, or fields like 'title, words int', not " + node.kind());
    }

    private static int schemaRetries(MapNode step, String chain, String stepName, AnswerSchema schema) {
        ConfigNode node = step.get("schema_retries");
        if (node == null) {
            return 0;
        }
        if (schema == null) {
            throw problem(node.origin().where(), chain, stepName, "'schema_retries' needs 'schema' or 'schema_multi'");
        }
        if (!(node instanceof ScalarNode s) || !(s.value() instanceof Long n) || n < 0 || n > MAX_SCHEMA_RETRIES) {
            throw problem(node.origin().where(), chain, stepName, "'schema_retries' must be a whole number from 0 to "
                    + MAX_SCHEMA_RETRIES);
        }
        return Math.toIntExact(n);
    }

    /** {@code tools: [fs.*, wc]}: the tools the step offers, named as {@code -T} names them. */
    private static List<String> tools(MapNode step, String chain, String stepName) {
        ConfigNode node = step.get("tools");
        if (node == null) {
            return List.of();
        }
        List<String> tools = new ArrayList<>();
        if (node instanceof ListNode list) {
            for (ConfigNode item : list.items()) {
                if (!(item instanceof ScalarNode s) || !(s.value() instanceof String name) || name.isBlank()) {
                    throw problem(item.origin().where(), chain, stepName, "'tools' must list tool names, e.g. "
                            + "tools: [fs.read_file, wc]");
                }
                tools.add(name);
            }
        } else if (node instanceof ScalarNode s && s.value() instanceof String name && !name.isBlank()) {
            tools.add(name);
        } else {
            throw problem(node.origin().where(), chain, stepName, "'tools' must list tool names, e.g. "
                    + "tools: [fs.read_file, wc]");
        }
        return tools;
    }

    private static ChainStep.Repeat repeat(MapNode step, String chain, String stepName) {
        ConfigNode node = step.get("repeat");
        if (node == null) {
            return null;
        }
        if (!(node instanceof MapNode map)) {
            throw problem(node.origin().where(), chain, stepName, "'repeat' must be {until: \"<condition>\", max: N}");
        }
        String until = text(map, "until", chain, stepName);
        if (until == null) {
            throw problem(node.origin().where(), chain, stepName, "'repeat' needs 'until: \"<condition>\"'");
        }
        ConfigNode max = map.get("max");
        if (max == null) {
            throw problem(node.origin().where(), chain, stepName, "'repeat' has no 'max': a loop must be bounded "
                    + "(add e.g. max: 3)");
        }
        if (!(max instanceof ScalarNode s) || !(s.value() instanceof Long n) || n < 1 || n > MAX_REPEAT) {
            throw problem(max.origin().where(), chain, stepName, "'repeat.max' must be a whole number from 1 to "
                    + MAX_REPEAT);
        }
        return new ChainStep.Repeat(condition(until, map.get("until"), chain, stepName), until, Math.toIntExact(n));
    }

    private static Condition condition(String source, ConfigNode node, String chain, String stepName) {
        try {
            return ConditionParser.parse(source);
        } catch (IllegalArgumentException e) {
            throw problem(node.origin().where(), chain, stepName, e.getMessage());
        }
    }

    private static void checkVariables(Set<String> used, Set<String> known, Map<String, AnswerSchema> schemas,
                                       ConfigNode node, String chain, String stepName, String where) {
        List<String> unknown = new ArrayList<>();
        for (String name : Template.unknown(used, known)) {
            StepFields.Reference field = StepFields.parse(name, known);
            if (field == null) {
                unknown.add(name);
                continue;
            }
            AnswerSchema schema = schemas.get(field.step());
            if (schema == null) {
                throw problem(node.origin().where(), chain, stepName, where + " reads field '" + field.field()
                        + "' of step '" + field.step() + "' ({{" + name + "}}), but that step declares no schema, so "
                        + "its answer is text; give it 'schema:' (e.g. schema: \"title, body\") or use {{"
                        + field.step() + "}}");
            }
            String missing = StepFields.missingInSchema(schema, field.path());
            if (missing != null) {
                throw problem(node.origin().where(), chain, stepName, where + " reads field '" + field.field()
                        + "' of step '" + field.step() + "' ({{" + name + "}}), but by its schema " + missing);
            }
        }
        if (!unknown.isEmpty()) {
            String name = unknown.get(0);
            String hint = NameSuggestions.didYouMean(name, known);
            throw problem(node.origin().where(), chain, stepName, where + " uses unknown variable '" + name + "'"
                    + (hint.isEmpty() ? "" : " (" + hint + ")") + "; known here: " + String.join(", ", known));
        }
    }

    private static String text(MapNode map, String key, String chain, String stepName) {
        ConfigNode node = map.get(key);
        if (node == null || node instanceof ScalarNode s && s.value() == null) {
            return null;
        }
        if (node instanceof ScalarNode s && !(s.value() instanceof Boolean)) {
            return s.text();
        }
        throw problem(node.origin().where(), chain, stepName, "'" + key + "' must be text, not " + node.kind());
    }

    static ConfigException problem(String where, String chain, String step, String message) {
        return new ConfigException(where + ": chain '" + chain + "'" + (step == null ? "" : ", step '" + step + "'")
                + ": " + message, null);
    }
}
