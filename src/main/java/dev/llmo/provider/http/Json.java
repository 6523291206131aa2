package dev.llmo.provider.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmo.json.JsonTrees;
import java.util.Optional;

/**
 * The provider clients' JSON: trees read and written without a Jackson mapper on a model call's path
 * ({@link JsonTrees}), and the one mapper, made at first use, for what needs one (Java values to and from trees).
 */
public final class Json {
    // Decimals are written plainly (1E+5 as 100000) so that a body rebuilt from the event log on replay is the same.
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(com.fasterxml.jackson.core.StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN).build();
    private static final JsonTrees.Reading LENIENT = new JsonTrees.Reading(FACTORY, JsonTrees.Floats.DOUBLE, false);
    // Floats read as BigDecimal: a number the model or a schema wrote goes back with the digits it had.
    private static final JsonTrees.Reading EXACT = new JsonTrees.Reading(FACTORY, JsonTrees.Floats.DECIMAL, true);

    private Json() {
    }

    /** The mapper (thread-safe once configured), for Java values; trees need none. */
    public static ObjectMapper mapper() {
        return Mapper.MAPPER;
    }

    private static final class Mapper {
        // a copy of the trees' factory (plain decimals and all): a mapper makes itself the codec of its factory
        static final ObjectMapper MAPPER = com.fasterxml.jackson.databind.json.JsonMapper.builder(FACTORY.copy())
                .build();
    }

    /** The parsed document, or empty when {@code text} is not JSON. */
    public static Optional<JsonNode> parse(String text) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(LENIENT.read(text));
        } catch (java.io.IOException e) {
            return Optional.empty();
        }
    }

    /** The parsed document, or empty when {@code bytes} (UTF-8) are not JSON. */
    public static Optional<JsonNode> parse(byte[] bytes) {
        try {
            return Optional.ofNullable(LENIENT.read(bytes)).filter(node -> !node.isMissingNode());
        } catch (java.io.IOException e) {
            return Optional.empty();
        }
    }

    /** The parsed document with every number as written (no rounding to double), or empty when it is not JSON. */
    public static Optional<JsonNode> parseExact(String text) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(EXACT.read(text)).filter(node -> !node.isMissingNode());
        } catch (java.io.IOException e) {
            return Optional.empty();
        }
    }

    /**
     * A Java value (a string, number, boolean, list or map) as a tree node: what {@code valueToTree} makes, without
     * the mapper for the values every call has (strings, booleans, numbers: a decimal with its trailing zeros
     * stripped, as the mapper's tree reads it). Only lists and maps need the mapper, whose ~400 classes are in no
     * class archive: {@code -o temperature=0.2} made a run 2.4x one without it.
     */
    public static JsonNode tree(Object value) {
        if (value instanceof String text) {
            return JsonNodeFactory.instance.textNode(text);
        }
        if (value instanceof Boolean flag) {
            return JsonNodeFactory.instance.booleanNode(flag);
        }
        if (value instanceof Integer number) {
            return JsonNodeFactory.instance.numberNode(number.intValue());
        }
        if (value instanceof Long number) {
            return JsonNodeFactory.instance.numberNode(number.longValue());
        }
        if (value instanceof java.math.BigDecimal number) {
            return JsonNodeFactory.instance.numberNode(number.signum() == 0 ? java.math.BigDecimal.ZERO
                    : number.stripTrailingZeros());
        }
        if (value instanceof Double number) {
            return JsonNodeFactory.instance.numberNode(number.doubleValue());
        }
        return mapper().valueToTree(value);
    }

    public static ObjectNode object() {
        return JsonNodeFactory.instance.objectNode();
    }

    public static String write(JsonNode node) {
        try {
            return JsonTrees.write(FACTORY, node);
        } catch (java.io.UncheckedIOException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
    }

    /**
     * Whether {@code node} can be written: a number read exactly may have an exponent too large to write out plainly
     * ({@code 1e99999}), which a model can put in its arguments.
     */
    public static boolean writable(JsonNode node) {
        try {
            JsonTrees.write(FACTORY, node);
            return true;
        } catch (java.io.UncheckedIOException e) {
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
