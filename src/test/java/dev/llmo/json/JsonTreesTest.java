package dev.llmo.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.POJONode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link JsonTrees} against the databind mapper it replaces on a model call's path, configured as each of llmo's
 * readers was: the same tree (node classes and values, so decimals keep or lose their zeros alike) or a failure for
 * the same documents, and the same bytes written, for hand-picked edge cases and 20,000 random documents.
 */
class JsonTreesTest {
    private static final JsonFactory PLAIN = JsonFactory.builder()
            .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN).build();

    /** The provider clients' lenient reader (doubles, trailing text ignored) and its mapper. */
    private static final Pair LENIENT = new Pair(new JsonTrees.Reading(PLAIN, JsonTrees.Floats.DOUBLE, false),
            JsonMapper.builder().enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN).build());

    /** The provider clients' exact reader (every digit kept, nothing after the document). */
    private static final Pair EXACT = new Pair(new JsonTrees.Reading(PLAIN, JsonTrees.Floats.DECIMAL, true),
            JsonMapper.builder().enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
                    .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                    .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                    .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES).build());

    /** The event log's strict reader (duplicates refused, decimals stripped, nothing after the object). */
    private static final Pair STRICT = new Pair(new JsonTrees.Reading(strict(), JsonTrees.Floats.DECIMAL_STRIPPED,
            true), new ObjectMapper(strict()).enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS));

    private static final List<Pair> READERS = List.of(LENIENT, EXACT, STRICT);

    private record Pair(JsonTrees.Reading trees, ObjectMapper mapper) {
    }

    private static JsonFactory strict() {
        return JsonFactory.builder().disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxStringLength(Integer.MAX_VALUE).maxNumberLength(64).maxNestingDepth(1000).build())
                .build();
    }

    @Test
    void readsEdgeCasesAsTheMapperDoes() {
        List<String> documents = List.of("", "  \n", "null", "true", "0", "-0", "-0.0", "1.50", "1.0e3", "1E+400",
                "1e-400", "2147483647", "2147483648", "-9223372036854775809", "123456789012345678901234567890",
                "0.1000", "1.000000000000000000000000001", "\"\"", "\"\\u0000\\ud83d\\ude00\"", "[]", "{}",
                "[[],{},[[]],{\"a\":{}}]", "{\"a\":1,\"a\":2}", "{\"a\":{\"b\":[1,{\"c\":null}]},\"a\":3,\"d\":4}",
                "{} x", "{} {}", "[1,]", "{\"a\":1", "[1 2]", "{\"a\" 1}", "NaN", "01", "1.", "\"\\x\"",
                "{\"a\":1}\n", "[".repeat(999) + "]".repeat(999), "[".repeat(1001) + "]".repeat(1001),
                "{\"n\":-1.5e-7,\"m\":[1E2,0.0,100.00]}", "\"caf\u00e9 \u4e2d\"");
        for (Pair reader : READERS) {
            for (String document : documents) {
                assertSameRead(reader, document);
            }
        }
    }

    @Test
    void readsRandomDocumentsAsTheMapperDoes() {
        Random random = new Random(20261203);
        for (int i = 0; i < 20_000; i++) {
            String document = randomValue(random, 0);
            if (random.nextInt(10) == 0) {
                document = mutate(random, document);
            }
            assertSameRead(READERS.get(i % READERS.size()), document);
        }
    }

    @Test
    void readsTheMembersBeforeAStopAndLeavesTheRestUnread() throws Exception {
        byte[] line = "{\"a\":1,\"b\":{\"c\":[1,{\"d\":null}]},\"stop\":{\"x\":\"y\"},\"z\":2}".getBytes(StandardCharsets.UTF_8);
        assertThat(JsonTrees.MAPPER_DEFAULTS.readBefore(line, 0, line.length, "stop").toString())
                .isEqualTo("{\"a\":1,\"b\":{\"c\":[1,{\"d\":null}]}}");
        assertThat(JsonTrees.MAPPER_DEFAULTS.readBefore(line, 0, line.length, "none").toString())
                .isEqualTo("{\"a\":1,\"b\":{\"c\":[1,{\"d\":null}]},\"stop\":{\"x\":\"y\"},\"z\":2}");
        // what follows the stop is not read: not even whether it is JSON
        byte[] cut = "{\"a\":1,\"stop\":{\"x\":".getBytes(StandardCharsets.UTF_8);
        assertThat(JsonTrees.MAPPER_DEFAULTS.readBefore(cut, 0, cut.length, "stop").toString()).isEqualTo("{\"a\":1}");
        byte[] array = "[1]".getBytes(StandardCharsets.UTF_8);
        assertThat(JsonTrees.MAPPER_DEFAULTS.readBefore(array, 0, array.length, "stop")).isNull();
        // what comes before the stop must be JSON
        assertThatThrownBy(() -> JsonTrees.MAPPER_DEFAULTS.readBefore(cut, 0, 9, "stop"))
                .isInstanceOf(JsonProcessingException.class);
    }

    @Test
    void writesTreesAsTheMapperDoes() throws Exception {
        Random random = new Random(7);
        ObjectMapper mapper = LENIENT.mapper();
        for (int i = 0; i < 5_000; i++) {
            JsonNode tree = EXACT.mapper().readTree(randomValue(random, 0));
            assertThat(JsonTrees.write(PLAIN, tree)).isEqualTo(mapper.writeValueAsString(tree));
            assertThat(JsonTrees.writeBytes(PLAIN, tree)).isEqualTo(mapper.writeValueAsBytes(tree));
        }
        ObjectNode made = JsonNodeFactory.instance.objectNode();
        made.put("short", (short) 7).put("float", 1.25f).put("double", 1e300).put("big", new BigInteger("9".repeat(30)))
                .put("decimal", new BigDecimal("1E+5")).put("bytes", new byte[] {0, 1, 2, (byte) 255})
                .put("text", "tab\tquote\"slash/\u2028").putNull("none");
        made.putArray("empty");
        made.set("missing", com.fasterxml.jackson.databind.node.MissingNode.getInstance());
        assertThat(JsonTrees.write(PLAIN, made)).isEqualTo(mapper.writeValueAsString(made));
    }

    @Test
    void refusesToWriteWhatNeedsAMapper() {
        ObjectNode tree = JsonNodeFactory.instance.objectNode();
        tree.set("pojo", new POJONode(List.of(1)));
        assertThatThrownBy(() -> JsonTrees.write(PLAIN, tree)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("POJONode");
    }

    @Test
    void aDecimalTooLargeToWritePlainlyFailsLikeTheMapper() throws Exception {
        JsonNode huge = EXACT.trees().read("1e99999");
        assertThatThrownBy(() -> LENIENT.mapper().writeValueAsString(huge)).isInstanceOf(JsonProcessingException.class);
        assertThatThrownBy(() -> JsonTrees.write(PLAIN, huge)).isInstanceOf(java.io.UncheckedIOException.class);
    }

    private static void assertSameRead(Pair reader, String document) {
        Object expected = outcome(() -> reader.mapper().readTree(document));
        assertThat(outcome(() -> reader.trees().read(document))).as("%s", document).isEqualTo(expected);
        byte[] bytes = document.getBytes(StandardCharsets.UTF_8);
        Object fromBytes = outcome(() -> reader.mapper().readTree(bytes, 0, bytes.length));
        assertThat(outcome(() -> reader.trees().read(bytes))).as("%s as bytes", document).isEqualTo(fromBytes);
    }

    private interface Read {
        JsonNode read() throws Exception;
    }

    /** The tree, with each node's class and every decimal's scale, or that reading failed. */
    private static Object outcome(Read read) {
        JsonNode node;
        try {
            node = read.read();
        } catch (JsonProcessingException e) {
            return "fails";
        } catch (Exception e) {
            return "fails with " + e.getClass().getSimpleName();
        }
        return shape(node);
    }

    private static String shape(JsonNode node) {
        StringBuilder out = new StringBuilder(node.getClass().getSimpleName()).append(':');
        if (node.isObject()) {
            node.fields().forEachRemaining(f -> out.append(f.getKey()).append('=').append(shape(f.getValue()))
                    .append(','));
        } else if (node.isArray()) {
            node.forEach(item -> out.append(shape(item)).append(','));
        } else if (node.isBigDecimal()) {
            out.append(node.decimalValue().unscaledValue()).append('e').append(-node.decimalValue().scale());
        } else {
            out.append(node.asText());
        }
        return out.toString();
    }

    private static String randomValue(Random random, int depth) {
        int kind = random.nextInt(depth > 4 ? 6 : 9);
        return switch (kind) {
            case 0 -> "null";
            case 1 -> random.nextBoolean() ? "true" : "false";
            case 2 -> Long.toString(random.nextInt(3) == 0 ? random.nextLong() : random.nextInt(1000) - 500);
            case 3 -> randomFloat(random);
            case 4 -> new BigInteger(100, random).toString();
            case 5 -> quoted(random);
            case 6, 7 -> {
                StringBuilder object = new StringBuilder("{");
                int n = random.nextInt(5);
                for (int i = 0; i < n; i++) {
                    object.append(i == 0 ? "" : ",").append(random.nextInt(8) == 0 ? "\"k\"" : quoted(random))
                            .append(':').append(randomValue(random, depth + 1));
                }
                yield object.append('}').toString();
            }
            default -> {
                StringBuilder array = new StringBuilder("[");
                int n = random.nextInt(5);
                for (int i = 0; i < n; i++) {
                    array.append(i == 0 ? "" : ",").append(randomValue(random, depth + 1));
                }
                yield array.append(']').toString();
            }
        };
    }

    private static String randomFloat(Random random) {
        String digits = Integer.toString(random.nextInt(100_000));
        String fraction = random.nextBoolean() ? "." + "0".repeat(random.nextInt(3)) + random.nextInt(1000)
                + "0".repeat(random.nextInt(3)) : "";
        String exponent = fraction.isEmpty() || random.nextBoolean()
                ? (random.nextBoolean() ? "e" : "E") + (random.nextBoolean() ? "-" : "+") + random.nextInt(400) : "";
        return (random.nextBoolean() ? "-" : "") + digits + fraction + exponent;
    }

    private static String quoted(Random random) {
        String[] pieces = {"a", "é", "\\n", "\\\"", "\\u00e9", "\\ud83d\\ude00", "中", " ", "\\\\", "/", "\\t"};
        StringBuilder text = new StringBuilder("\"");
        int n = random.nextInt(6);
        for (int i = 0; i < n; i++) {
            text.append(pieces[random.nextInt(pieces.length)]);
        }
        return text.append('"').toString();
    }

    private static String mutate(Random random, String document) {
        if (document.isEmpty()) {
            return " ";
        }
        int at = random.nextInt(document.length());
        return switch (random.nextInt(4)) {
            case 0 -> document.substring(0, at);
            case 1 -> document.substring(0, at) + document.substring(at + 1);
            case 2 -> document + (random.nextBoolean() ? " {}" : " x");
            default -> document.substring(0, at) + ",:[]{}\"".charAt(random.nextInt(7)) + document.substring(at);
        };
    }
}
