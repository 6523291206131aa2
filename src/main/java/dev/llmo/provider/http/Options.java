package dev.llmo.provider.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmo.failure.UsageException;
import java.util.HashMap;
import java.util.Map;

/**
 * Writes request options (from models.yaml, roles and {@code -o}) into a JSON object of a request body, each under
 * the field its wire format's options class chose, and refuses two options that land on the same field (such as
 * {@code max_tokens} and {@code max_completion_tokens} for an OpenAI reasoning model): one of them would be dropped
 * without a word.
 */
public final class Options {
    private final ObjectNode target;
    private final String format;
    private final Map<String, String> writtenBy = new HashMap<>();

    /** @param format the wire format's id, for errors */
    public Options(ObjectNode target, String format) {
        this.target = target;
        this.format = format;
    }

    /** Writes {@code value} (a Java value: string, number, boolean, list, map) as {@code field}, set by {@code option}. */
    public void put(String option, String field, Object value) {
        set(option, field, Json.tree(value));
    }

    /** Writes {@code value} as {@code field}, set by {@code option}. */
    public void set(String option, String field, JsonNode value) {
        String earlier = writtenBy.putIfAbsent(field, option);
        if (earlier != null) {
            throw new UsageException("options '" + earlier + "' and '" + option + "' both set '" + field + "' of the "
                    + format + " request", "give only one of them");
        }
        target.set(field, value);
    }

    /** {@code max_tokens} to {@code maxTokens}: Gemini's JSON names. */
    public static String camelCase(String name) {
        StringBuilder out = new StringBuilder(name.length());
        boolean upper = false;
        for (char c : name.toCharArray()) {
            if (c == '_' || c == '-') {
                upper = out.length() > 0;
            } else {
                out.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return out.toString();
    }
}
