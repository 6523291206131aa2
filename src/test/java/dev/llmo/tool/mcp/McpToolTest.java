package dev.llmo.tool.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmo.json.JsonTrees;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A schema's canonical bytes, and so every recorded {@code schema_sha256}, are what they were when a mapper wrote
 * them: the generator alone writes the same bytes for every kind of value, and the keys are sorted at every depth.
 */
class McpToolTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Test
    void canonicalBytesAreTheMappersOfTheSortedTree() throws Exception {
        List<String> schemas = new ArrayList<>(List.of(
                "{\"type\":\"object\",\"properties\":{\"b\":{\"type\":\"number\",\"minimum\":-0.0,\"maximum\":1e10},"
                        + "\"a\":{\"type\":\"string\",\"pattern\":\"^\\\\d+\\\"é\\u2028\\u0001$\"}},"
                        + "\"required\":[\"b\",\"a\"],\"x-n\":[1,2.5,-3,12345678901234567890,null,true,false]}",
                "{}", "{\"z\":{\"y\":{\"x\":[{\"c\":1,\"b\":2,\"a\":3}]}},\"a\":0.1}"));
        Random random = new Random(7);
        for (int i = 0; i < 300; i++) {
            schemas.add(MAPPER.writeValueAsString(randomObject(random, 0)));
        }
        for (String schema : schemas) {
            JsonNode tree = MAPPER.readTree(schema);
            assertThat(new String(McpTool.canonical(tree), java.nio.charset.StandardCharsets.UTF_8)).as(schema)
                    .isEqualTo(MAPPER.writeValueAsString(sortedByMapper(tree)));
            assertThat(JsonTrees.MAPPER_DEFAULTS.read(schema)).as(schema).isEqualTo(tree);
        }
        assertThat(McpTool.hashOf(MAPPER.readTree("{\"b\":1,\"a\":[true]}")))
                .isEqualTo(McpTool.hashOf(MAPPER.readTree("{ \"a\" : [ true ], \"b\" : 1 }"))).matches("[0-9a-f]{64}");
    }

    private static JsonNode sortedByMapper(JsonNode node) {
        if (node.isObject()) {
            ObjectNode copy = MAPPER.createObjectNode();
            List<String> names = new ArrayList<>();
            node.fieldNames().forEachRemaining(names::add);
            names.sort(null);
            for (String name : names) {
                copy.set(name, sortedByMapper(node.get(name)));
            }
            return copy;
        }
        if (node.isArray()) {
            var copy = MAPPER.createArrayNode();
            for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) {
                copy.add(sortedByMapper(it.next()));
            }
            return copy;
        }
        return node;
    }

    private static Object randomObject(Random random, int depth) {
        Map<String, Object> object = new java.util.LinkedHashMap<>();
        int size = random.nextInt(5);
        for (int i = 0; i < size; i++) {
            object.put(randomText(random), randomValue(random, depth + 1));
        }
        return object;
    }

    private static Object randomValue(Random random, int depth) {
        return switch (depth > 4 ? random.nextInt(5) : random.nextInt(7)) {
            case 0 -> random.nextInt();
            case 1 -> random.nextDouble() * Math.pow(10, random.nextInt(40) - 20);
            case 2 -> randomText(random);
            case 3 -> random.nextBoolean();
            case 4 -> random.nextLong();
            case 5 -> randomObject(random, depth);
            default -> List.of(randomValue(random, depth + 1), randomValue(random, depth + 1));
        };
    }

    private static String randomText(Random random) {
        StringBuilder text = new StringBuilder();
        int length = random.nextInt(6);
        for (int i = 0; i < length; i++) {
            text.append((char) (random.nextBoolean() ? 'a' + random.nextInt(26) : random.nextInt(0x3000)));
        }
        return text.toString();
    }
}
