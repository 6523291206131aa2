package dev.llmo.eventlog;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** The Jackson set-up and the timestamp format shared by the writer, the reader and the verifier. */
final class EventJson {
    /**
     * Strict reading: a duplicate key or trailing garbage is an error (a verifier that let the last duplicate win
     * could be shown one text and hash another), and long strings are allowed (a response may be megabytes). Field
     * names are not canonicalized: every content entry's key is a digest seen once, and Jackson's shared name table
     * copies itself for each line that adds a name, a cost that grows with the names of all lines read before.
     */
    static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxStringLength(Integer.MAX_VALUE).maxNumberLength(64).maxNestingDepth(1000).build())
            .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);

    /** RFC 3339 in UTC with exactly three fraction digits, e.g. 2026-11-21T19:40:48.540Z. */
    static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private EventJson() {
    }

    static String timestamp(Instant instant) {
        return TIMESTAMP.format(instant);
    }

    static JsonNode read(byte[] bytes, int from, int length) throws IOException {
        if (from != 0 || length != bytes.length) {
            // With CANONICALIZE_FIELD_NAMES off, Jackson 2.22 can read past the end of a range that starts inside the
            // array and has bytes after it: a long tampered line was "not valid JSON (Trailing token ...)", having
            // been read into the next line, instead of "edited". A copy holds the range alone.
            return MAPPER.readTree(java.util.Arrays.copyOfRange(bytes, from, from + length));
        }
        return MAPPER.readTree(bytes, from, length);
    }
}
