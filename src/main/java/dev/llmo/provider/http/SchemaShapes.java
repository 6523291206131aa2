package dev.llmo.provider.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmo.provider.ResponseSchema;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A response schema adapted to what a wire format's structured output requires. Each is a pure function of the schema,
 * so a body rebuilt from the event log is the same. The answer is still checked locally against the user's own schema:
 * an adaptation only tightens (closing objects) or moves a constraint into the description the model reads.
 */
public final class SchemaShapes {
    /** Keys whose value is a map of name to subschema. */
    private static final Set<String> SCHEMA_MAPS = Set.of("properties", "patternProperties", "$defs", "definitions",
            "dependentSchemas");
    /** Keys whose value is a subschema, or for some an array of them. */
    private static final Set<String> SCHEMA_VALUES = Set.of("items", "additionalProperties", "not", "if", "then", "else",
            "contains", "propertyNames", "unevaluatedItems", "unevaluatedProperties");
    private static final Set<String> SCHEMA_ARRAYS = Set.of("anyOf", "allOf", "oneOf", "prefixItems");
    /**
     * What Anthropic's structured output does not take (its documented limits): numeric bounds, string lengths, list
     * sizes beyond a minItems of 0 or 1.
     */
    private static final List<String> ANTHROPIC_UNSUPPORTED = List.of("minimum", "maximum", "exclusiveMinimum",
            "exclusiveMaximum", "multipleOf", "minLength", "maxLength", "maxItems", "minItems", "uniqueItems",
            "minProperties", "maxProperties");

    private SchemaShapes() {
    }

    /** The schema as a tree (it was checked when it was given). */
    public static ObjectNode tree(ResponseSchema schema) {
        return (ObjectNode) Json.parseExact(schema.schemaJson()).filter(JsonNode::isObject).orElseThrow(() ->
                new IllegalArgumentException("a response schema is a JSON object"));
    }

    /**
     * {@code schema} with {@code "additionalProperties": false} on every object schema that says nothing of other
     * properties: OpenAI's strict mode and Anthropic require it, and the user's schema did not ask for more.
     */
    public static ObjectNode closed(ObjectNode schema) {
        ObjectNode copy = schema.deepCopy();
        each(copy, node -> {
            if (isObjectSchema(node) && !node.has("additionalProperties")) {
                node.put("additionalProperties", false);
            }
        });
        return copy;
    }

    /**
     * Whether every object schema in {@code schema} requires all its properties and allows no others: what OpenAI's
     * strict mode takes. A schema with optional properties is sent without {@code strict}, and the local check stays.
     */
    public static boolean strictable(ObjectNode schema) {
        boolean[] ok = {true};
        each(schema, node -> {
            if (!isObjectSchema(node)) {
                return;
            }
            if (!node.path("additionalProperties").isBoolean() || node.get("additionalProperties").asBoolean()) {
                ok[0] = false;
            }
            Set<String> required = new HashSet<>();
            node.path("required").forEach(name -> required.add(name.asText()));
            node.path("properties").fieldNames().forEachRemaining(name -> ok[0] &= required.contains(name));
        });
        return ok[0];
    }

    /**
     * {@code schema} without the keywords Anthropic's structured output refuses; each is kept as a sentence of the
     * description, so the model still reads it (as Anthropic's own SDKs do). A {@code minItems} of 0 or 1 stays.
     */
    public static ObjectNode forAnthropic(ObjectNode schema) {
        ObjectNode copy = closed(schema);
        each(copy, node -> {
            List<String> moved = new ArrayList<>();
            for (String key : ANTHROPIC_UNSUPPORTED) {
                JsonNode value = node.get(key);
                if (value == null || !value.isValueNode()
                        || key.equals("minItems") && value.canConvertToInt() && value.asInt() <= 1) {
                    continue;
                }
                moved.add(key + ": " + value.asText());
                node.remove(key);
            }
            if (!moved.isEmpty()) {
                String description = node.path("description").asText("");
                node.put("description", (description.isEmpty() ? "" : description + " ") + "("
                        + String.join(", ", moved) + ")");
            }
        });
        return copy;
    }

    private static boolean isObjectSchema(JsonNode node) {
        JsonNode type = node.get("type");
        if (type != null && type.isTextual()) {
            return type.asText().equals("object");
        }
        if (type != null && type.isArray()) {
            for (JsonNode t : type) {
                if (t.asText().equals("object")) {
                    return true;
                }
            }
            return false;
        }
        return node.has("properties");
    }

    /** Calls {@code visit} on {@code node} and every subschema in it, depth first. */
    private static void each(JsonNode node, java.util.function.Consumer<ObjectNode> visit) {
        if (!(node instanceof ObjectNode object)) {
            return;
        }
        visit.accept(object);
        for (Map.Entry<String, JsonNode> field : object.properties()) {
            String key = field.getKey();
            JsonNode value = field.getValue();
            if (SCHEMA_MAPS.contains(key) && value.isObject()) {
                value.forEach(sub -> each(sub, visit));
            } else if (SCHEMA_ARRAYS.contains(key) && value instanceof ArrayNode array) {
                array.forEach(sub -> each(sub, visit));
            } else if (SCHEMA_VALUES.contains(key)) {
                if (value instanceof ArrayNode array) {
                    array.forEach(sub -> each(sub, visit));
                } else {
                    each(value, visit);
                }
            }
        }
    }
}
