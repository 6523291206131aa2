package dev.llmo.provider;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The JSON Schema an answer must follow, as a request asks for it with the provider's native structured output; each
 * client writes it in its wire format's own field and adapts it to what that format requires.
 *
 * @param name       a name for it where the format wants one (OpenAI): 1-64 letters, digits, {@code _} or {@code -}
 * @param schemaJson the schema as JSON text, an object schema (text: a schema may hold decimals, which the event
 *                   log keeps as written)
 * @param multi      whether the schema wraps a list of objects as {@code {"items": [...]}} ({@code --schema-multi}):
 *                   the body does not depend on it, but what is printed (the list) does, so it is recorded
 */
public record ResponseSchema(String name, String schemaJson, boolean multi) {
    private static final Pattern WIRE_NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    public ResponseSchema {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(schemaJson, "schemaJson");
        if (!WIRE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("a response schema's name is 1-64 letters, digits, _ or -: " + name);
        }
    }

    /** A schema of one object. */
    public ResponseSchema(String name, String schemaJson) {
        this(name, schemaJson, false);
    }
}
