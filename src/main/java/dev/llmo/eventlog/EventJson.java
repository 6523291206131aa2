package dev.llmo.eventlog;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmo.json.JsonTrees;
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
    static final JsonFactory FACTORY = factory();

    /**
     * Lines are read into trees without a mapper ({@link JsonTrees}): floats as {@code BigDecimal} without trailing
     * zeros, as the mapper read them before (its default node factory strips them), and nothing after the object.
     */
    private static final JsonTrees.Reading LINES = new JsonTrees.Reading(FACTORY, JsonTrees.Floats.DECIMAL_STRIPPED,
            true);

    private static JsonFactory factory() {
        return JsonFactory.builder()
                .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
                .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxStringLength(Integer.MAX_VALUE).maxNumberLength(64).maxNestingDepth(1000).build())
                .build();
    }

    /** A mapper with the same reading, for Java values (made at first use: writing and verifying need none). */
    static ObjectMapper mapper() {
        return Mapper.MAPPER;
    }

    private static final class Mapper {
        static final ObjectMapper MAPPER = new ObjectMapper(factory())
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    }

    static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);

    /** 0001-01-01T00:00:00Z and 10000-01-01T00:00:00Z: the years {@link #timestamp} writes itself. */
    private static final long FIRST_SECOND = -62_135_596_800L;
    private static final long END_SECOND = 253_402_300_800L;

    private EventJson() {
    }

    /**
     * RFC 3339 in UTC with exactly three fraction digits (truncated), e.g. 2026-11-21T19:40:48.540Z: what {@link
     * Pattern#TIMESTAMP} prints, written here from the epoch second for the four-digit years, because the formatter
     * (its pattern parsed, java.time's formatting classes loaded) was ~60 classes on the main thread of every
     * {@code run} (ADR-003, "Sixth round (issue 15)"). Other years go through the formatter.
     */
    static String timestamp(Instant instant) {
        long seconds = instant.getEpochSecond();
        if (seconds < FIRST_SECOND || seconds >= END_SECOND) {
            return Pattern.TIMESTAMP.format(instant);
        }
        long days = Math.floorDiv(seconds, 86_400L);
        int secondOfDay = (int) Math.floorMod(seconds, 86_400L);
        // the proleptic Gregorian date of a day count (H. Hinnant's days_from_civil, inverted), from 0000-03-01
        long shifted = days + 719_468L;
        long era = Math.floorDiv(shifted, 146_097L);
        int dayOfEra = (int) (shifted - era * 146_097L);
        int yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
        int dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        int marchMonth = (5 * dayOfYear + 2) / 153;
        int day = dayOfYear - (153 * marchMonth + 2) / 5 + 1;
        int month = marchMonth < 10 ? marchMonth + 3 : marchMonth - 9;
        long year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
        StringBuilder out = new StringBuilder(24);
        digits(out, (int) year, 4).append('-');
        digits(out, month, 2).append('-');
        digits(out, day, 2).append('T');
        digits(out, secondOfDay / 3_600, 2).append(':');
        digits(out, secondOfDay / 60 % 60, 2).append(':');
        digits(out, secondOfDay % 60, 2).append('.');
        return digits(out, instant.getNano() / 1_000_000, 3).append('Z').toString();
    }

    private static StringBuilder digits(StringBuilder out, int value, int width) {
        for (int scale = width == 4 ? 1_000 : width == 3 ? 100 : 10; scale > 0; scale /= 10) {
            out.append((char) ('0' + value / scale % 10));
        }
        return out;
    }

    /** The formatter, loaded only for a year {@link #timestamp} does not write itself. */
    static final class Pattern {
        static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
                .withZone(ZoneOffset.UTC);

        private Pattern() {
        }
    }

    /**
     * The members of the line's object before its member {@code stop}, that one and the rest unread; see {@link #read}.
     * Read from a copy of the line's first {@link #HEAD} bytes: what comes before the content, which llmo writes last,
     * is small (a long answer's line is not copied for it); one longer fails as cut short.
     */
    static ObjectNode readBefore(byte[] bytes, int from, int length, String stop) throws IOException {
        int head = Math.min(length, HEAD);
        return LINES.readBefore(java.util.Arrays.copyOfRange(bytes, from, from + head), 0, head, stop);
    }

    private static final int HEAD = 1 << 16;

    static JsonNode read(byte[] bytes, int from, int length) throws IOException {
        if (from != 0 || length != bytes.length) {
            // With CANONICALIZE_FIELD_NAMES off, Jackson 2.22 can read past the end of a range that starts inside the
            // array and has bytes after it: a long tampered line was "not valid JSON (Trailing token ...)", having
            // been read into the next line, instead of "edited". A copy holds the range alone.
            return LINES.read(java.util.Arrays.copyOfRange(bytes, from, from + length));
        }
        return LINES.read(bytes, from, length);
    }
}
