package dev.llmo.provider.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/** Writes user request options (from models.yaml, roles and {@code -o}) into a JSON body. */
public final class Options {
    private Options() {
    }

    /** Puts every option into {@code target}, as the JSON value of its Java value (string, number, boolean, list...). */
    public static void putAll(ObjectNode target, Map<String, Object> options) {
        options.forEach((name, value) -> target.set(name, Json.MAPPER.valueToTree(value)));
    }

    /**
     * Like {@link #putAll(ObjectNode, Map)}, but never replaces a key the request builder owns ({@code reserved}):
     * the core refuses such options before a call (dev.llmo.provider.http.ReservedOptions); this keeps the body's
     * structure intact for any caller that did not.
     */
    public static void putAll(ObjectNode target, Map<String, Object> options,
                              java.util.function.Predicate<String> reserved) {
        options.forEach((name, value) -> {
            if (!reserved.test(name)) {
                target.set(name, Json.MAPPER.valueToTree(value));
            }
        });
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
