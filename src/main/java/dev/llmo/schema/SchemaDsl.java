package dev.llmo.schema;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The concise schema syntax, as {@code llm} has it, with lists added: {@code name, age int, tags [str], bio: a short
 * biography}. Fields are separated by commas, or by newlines when the text has any (then a description may hold
 * commas). A field is a name, an optional type ({@code str}, the default; {@code int}; {@code float}; {@code bool};
 * {@code [TYPE]} for a list of them) and an optional description after a colon, which the model reads as a hint.
 * Every field is required. The result is a JSON Schema object, e.g. {@code {"type":"object","properties":{"name":
 * {"type":"string"},...},"required":["name",...]}}.
 */
public final class SchemaDsl {
    private static final Pattern FIELD = Pattern.compile("([A-Za-z_][A-Za-z0-9_-]*)(?:\\s+(\\S+))?");
    private static final Pattern NAME_START = Pattern.compile("[A-Za-z_].*");
    /** The types, in the order the messages list them. */
    public static final String TYPES = "str, int, float, bool, or [TYPE] for a list";

    private SchemaDsl() {
    }

    /**
     * The JSON Schema of {@code text}.
     *
     * @throws IllegalArgumentException naming the field at fault and what is wrong with it
     */
    public static ObjectNode parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("the schema is empty; give at least one field, e.g. 'name, age int'");
        }
        String[] fields = text.strip().split(text.contains("\n") ? "\\R" : ",", -1);
        ObjectNode schema = JsonNodeFactory.instance.objectNode().put("type", "object");
        ObjectNode properties = schema.putObject("properties");
        ArrayNode required = schema.putArray("required");
        Set<String> seen = new LinkedHashSet<>();
        int number = 0;
        for (String raw : fields) {
            String field = raw.strip();
            if (field.isEmpty()) {
                if (text.contains("\n")) {
                    continue; // blank lines between fields are fine
                }
                throw new IllegalArgumentException("field " + (number + 1) + " is empty (two commas in a row, or a "
                        + "comma at the end?)");
            }
            number++;
            String description = null;
            int colon = field.indexOf(':');
            if (colon >= 0) {
                description = field.substring(colon + 1).strip();
                field = field.substring(0, colon).strip();
            }
            Matcher matcher = FIELD.matcher(field);
            if (!matcher.matches()) {
                throw new IllegalArgumentException("field " + number + " ('" + raw.strip() + "'): " + why(field));
            }
            String name = matcher.group(1);
            if (!seen.add(name)) {
                throw new IllegalArgumentException("field " + number + " ('" + raw.strip() + "'): '" + name
                        + "' is already a field");
            }
            ObjectNode property = type(matcher.group(2) == null ? "str" : matcher.group(2), number, raw.strip());
            if (description != null && !description.isEmpty()) {
                property.put("description", description);
            }
            properties.set(name, property);
            required.add(name);
        }
        if (number == 0) {
            throw new IllegalArgumentException("the schema has no field; give at least one, e.g. 'name, age int'");
        }
        return schema;
    }

    private static String why(String field) {
        if (field.isEmpty()) {
            return "a field needs a name before its ':'";
        }
        if (!NAME_START.matcher(field).matches()) {
            return "a field name starts with a letter or _, then letters, digits, _ or -";
        }
        String[] words = field.split("\\s+");
        if (words.length > 2) {
            return "a field is NAME [TYPE], but this has " + words.length + " words (a description goes after a ':')";
        }
        return "a field name is letters, digits, _ or - ('" + words[0] + "' is not)";
    }

    private static ObjectNode type(String word, int number, String raw) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        if (word.startsWith("[") && word.endsWith("]") && word.length() > 2) {
            node.put("type", "array");
            node.set("items", type(word.substring(1, word.length() - 1), number, raw));
            return node;
        }
        String json = switch (word.toLowerCase(Locale.ROOT)) {
            case "str", "string" -> "string";
            case "int", "integer" -> "integer";
            case "float", "number" -> "number";
            case "bool", "boolean" -> "boolean";
            default -> throw new IllegalArgumentException("field " + number + " ('" + raw + "'): unknown type '"
                    + word + "'; the types are " + TYPES);
        };
        return node.put("type", json);
    }
}
