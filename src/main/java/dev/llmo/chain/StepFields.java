package dev.llmo.chain;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmo.schema.AnswerSchema;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code {{draft.title}}}: a field of the answer of a step that declared {@code schema:}, named by the step's name and
 * a path of property names and list indexes ({@code {{people.0.name}}}; a {@code schema_multi} step's answer is a
 * list). A string field reads as its text, any other value as its compact JSON.
 */
final class StepFields {
    private static final Pattern INDEX = Pattern.compile("0|[1-9][0-9]{0,8}");

    /** A reference to a field: the step, and the path within its answer (never empty). */
    record Reference(String step, List<String> path) {
        String field() {
            return String.join(".", path);
        }
    }

    private StepFields() {
    }

    /**
     * The reference {@code variable} makes to one of {@code steps}: the longest step name it starts with, then a dot;
     * null when it names no step so.
     */
    static Reference parse(String variable, Collection<String> steps) {
        String best = null;
        for (String step : steps) {
            if (variable.startsWith(step + ".") && variable.length() > step.length() + 1
                    && (best == null || step.length() > best.length())) {
                best = step;
            }
        }
        if (best == null) {
            return null;
        }
        List<String> path = List.of(variable.substring(best.length() + 1).split("\\.", -1));
        return path.contains("") ? null : new Reference(best, path);
    }

    /** Why {@code path} names no field the schema's answers have, or null when it does (or cannot be told). */
    static String missingInSchema(AnswerSchema schema, List<String> path) {
        JsonNode root = schema.node();
        JsonNode node = schema.multi() ? com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode()
                .put("type", "array").set("items", root) : root;
        List<String> walked = new ArrayList<>();
        for (String segment : path) {
            node = resolved(node, root);
            if (node == null) {
                return null;
            }
            JsonNode properties = node.get("properties");
            if (properties != null && properties.has(segment)) {
                node = properties.get(segment);
            } else if ("array".equals(node.path("type").asText()) && INDEX.matcher(segment).matches()) {
                node = node.path("items");
            } else if (properties != null || "array".equals(node.path("type").asText())) {
                String where = walked.isEmpty() ? "its answer" : "'" + String.join(".", walked) + "'";
                return "array".equals(node.path("type").asText())
                        ? where + " is a list: read an item by its index, e.g. " + String.join(".", walked)
                        + (walked.isEmpty() ? "" : ".") + "0"
                        : where + " has no field '" + segment + "' (its fields: " + names(properties) + ")";
            } else {
                return null; // anyOf, oneOf, a free object: the schema does not say; the answer will
            }
            walked.add(segment);
        }
        return null;
    }

    /** The text of the field {@code path} of {@code answer}. */
    static String value(JsonNode answer, List<String> path) {
        JsonNode node = answer;
        List<String> walked = new ArrayList<>();
        for (String segment : path) {
            JsonNode next = node.isArray() && INDEX.matcher(segment).matches() ? node.get(Integer.parseInt(segment))
                    : node.isObject() ? node.get(segment) : null;
            if (next == null) {
                String where = walked.isEmpty() ? "the answer" : "'" + String.join(".", walked) + "'";
                throw new IllegalArgumentException(where + (node.isArray() ? " has no item " + segment + " (it has "
                        + node.size() + ")" : " has no field '" + segment + "'"));
            }
            node = next;
            walked.add(segment);
        }
        return node.isTextual() ? node.asText() : node.toString();
    }

    /** A local {@code $ref} ({@code #/$defs/x}) followed; null when it cannot be. */
    private static JsonNode resolved(JsonNode node, JsonNode root) {
        for (int hops = 0; hops < 16 && node.has("$ref"); hops++) {
            String ref = node.get("$ref").asText();
            if (!ref.startsWith("#")) {
                return null;
            }
            node = root.at(ref.substring(1));
            if (node.isMissingNode()) {
                return null;
            }
        }
        return node.has("$ref") ? null : node;
    }

    private static String names(JsonNode properties) {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = properties.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        return names.isEmpty() ? "none" : String.join(", ", names);
    }
}
