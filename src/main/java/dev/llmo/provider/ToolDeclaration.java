package dev.llmo.provider;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A tool offered to the model in a request, as every wire format declares one: a name, a description and the JSON
 * Schema of its arguments.
 *
 * @param name           the name the model calls it by: letters, digits, {@code _} and {@code -}, at most 64, which
 *                       every wire format accepts (OpenAI and Anthropic allow no dots, so {@code fs.read_file} is
 *                       declared under another name and mapped back by the caller)
 * @param description    what the tool does, possibly empty
 * @param parametersJson the JSON Schema of the arguments, as JSON text (an object schema)
 */
public record ToolDeclaration(String name, String description, String parametersJson) {
    private static final Pattern WIRE_NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    public ToolDeclaration {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(parametersJson, "parametersJson");
        if (!WIRE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("a declared tool name is 1-64 letters, digits, _ or -: " + name);
        }
    }
}
