package dev.llmo.provider.http;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A field of an answer that has the wrong JSON type (a number where text belongs, an object where a list does): the
 * decoder that finds it ends the attempt as a bad response, so that a broken or hostile server's reply never looks
 * like success with an empty answer. Its message names the field and what was found there.
 */
public final class WrongShape extends RuntimeException {

    /** {@code where} (e.g. {@code choices[0].delta.content}) holds {@code found} instead of {@code expected}. */
    public WrongShape(String where, JsonNode found, String expected) {
        super(where + " is " + kind(found) + ", not " + expected, null, false, false);
    }

    public WrongShape(String message) {
        super(message, null, false, false);
    }

    /** What a JSON value is, with its article: "a number", "an object", "null". */
    public static String kind(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "missing";
        }
        return switch (node.getNodeType()) {
            case NULL -> "null";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case STRING -> "a string";
            case ARRAY -> "a list";
            case OBJECT, POJO -> "an object";
            default -> "a " + node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    /** Whether a field is there with a value: absent and JSON null both count as not given. */
    public static boolean given(JsonNode node) {
        return node != null && !node.isNull() && !node.isMissingNode();
    }
}
