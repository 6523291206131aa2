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

    // Floats read as BigDecimal: a number the model or a schema wrote goes back with the digits it had.
    private static final com.fasterxml.jackson.databind.ObjectReader EXACT = MAPPER.reader()
            .with(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .with(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .without(com.fasterxml.jackson.databind.cfg.JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES);

    /** The parsed document with every number as written (no rounding to double), or empty when it is not JSON. */
    public static Optional<JsonNode> parseExact(String text) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(EXACT.readTree(text)).filter(node -> !node.isMissingNode());
        } catch (JsonProcessingException e) {
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

    /**
     * Whether {@code node} can be written: a number read exactly may have an exponent too large to write out plainly
     * ({@code 1e99999}), which a model can put in its arguments.
     */
    public static boolean writable(JsonNode node) {
        try {
            MAPPER.writeValueAsString(node);
            return true;
        } catch (JsonProcessingException e) {
            return false;
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
