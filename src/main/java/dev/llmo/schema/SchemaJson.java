package dev.llmo.schema;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.Optional;

/** Reading and writing the JSON of schemas and answers, numbers kept as written (no rounding to double). */
final class SchemaJson {
    static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(com.fasterxml.jackson.core.StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN).build();
    private static final ObjectReader EXACT = MAPPER.reader()
            .with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .without(com.fasterxml.jackson.databind.cfg.JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES);

    private SchemaJson() {
    }

    /** The document, or empty when {@code text} is not one JSON value. */
    static Optional<JsonNode> parse(String text) {
        try {
            return read(text);
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
    }

    /** The document; empty for blank text; the parser's complaint when it is not JSON. */
    static Optional<JsonNode> read(String text) throws JsonProcessingException {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        return Optional.ofNullable(EXACT.readTree(text)).filter(node -> !node.isMissingNode());
    }

    static String write(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("a value that cannot be written as JSON: " + e.getOriginalMessage(), e);
        }
    }
}
