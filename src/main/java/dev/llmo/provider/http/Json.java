package dev.llmo.provider.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;

/** The one Jackson mapper of the provider clients (thread-safe once configured), and lenient readers. */
public final class Json {
    // Decimals are written plainly (1E+5 as 100000) so that a body rebuilt from the event log on replay is the same.
    public static final ObjectMapper MAPPER = com.fasterxml.jackson.databind.json.JsonMapper.builder()
            .enable(com.fasterxml.jackson.core.StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN).build();

    private Json() {
    }

    /** The parsed document, or empty when {@code text} is not JSON. */
    public static Optional<JsonNode> parse(String text) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(MAPPER.readTree(text));
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
    }

    /** The parsed document, or empty when {@code bytes} (UTF-8) are not JSON. */
    public static Optional<JsonNode> parse(byte[] bytes) {
        try {
            return Optional.ofNullable(MAPPER.readTree(bytes)).filter(node -> !node.isMissingNode());
        } catch (java.io.IOException e) {
            return Optional.empty();
        }
    }

    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    public static String write(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
    }

    /** The text of a field when it is a non-empty string, else null. */
    public static String text(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        return value != null && value.isTextual() && !value.asText().isEmpty() ? value.asText() : null;
    }

    /** Token counts at or above this (2^53) are not believed: no real call comes near it, and doubles lose digits. */
    public static final long MAX_COUNT = 1L << 53;

    /**
     * A field that is a count (tokens): a whole number from 0 to 2^53 - 1, else null (absent, null, not a number,
     * negative, fractional or absurdly large), so that a broken server's usage can never break the answer.
     */
    public static Long number(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        if (value == null || !value.isNumber()) {
            return null;
        }
        if (value.isIntegralNumber()) {
            if (!value.canConvertToLong()) {
                return null;
            }
            long count = value.longValue();
            return count >= 0 && count < MAX_COUNT ? count : null;
        }
        double d = value.doubleValue();
        return d >= 0 && d < MAX_COUNT && d == Math.rint(d) ? (long) d : null;
    }
}
