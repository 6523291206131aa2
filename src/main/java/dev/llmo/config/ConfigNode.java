package dev.llmo.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A parsed YAML value that remembers where it came from. Immutable. */
public sealed interface ConfigNode {

    Origin origin();

    /** A short name of the node's kind for error messages ("a mapping", "a list", "a number"). */
    String kind();

    /**
     * A configuration tree as a JSON tree (a schema written in YAML): objects, arrays, text, whole numbers, decimals as
     * written, booleans and null, as Jackson's mapper writes the tree's plain values, without a mapper: a run that
     * offers a command tool loads none for its schema (ADR-003, "Twelfth round").
     */
    static JsonNode json(ConfigNode node) {
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        if (node instanceof MapNode map) {
            ObjectNode object = nodes.objectNode();
            map.entries().forEach((k, v) -> object.set(k, json(v)));
            return object;
        }
        if (node instanceof ListNode list) {
            ArrayNode array = nodes.arrayNode();
            list.items().forEach(item -> array.add(json(item)));
            return array;
        }
        Object value = ((ScalarNode) node).value();
        if (value == null) {
            return nodes.nullNode();
        }
        if (value instanceof Long number) {
            return nodes.numberNode(number);
        }
        if (value instanceof BigDecimal number) {
            return DecimalNode.valueOf(number); // as written: the mapper does not strip a plain value's zeros
        }
        if (value instanceof Boolean flag) {
            return nodes.booleanNode(flag);
        }
        return nodes.textNode(value.toString()); // text: the reader makes no other kind of value (YamlFiles)
    }

    /** A mapping; {@code keyOrigins} says where each key is written (errors about a key point there). */
    record MapNode(Map<String, ConfigNode> entries, Map<String, Origin> keyOrigins, Origin origin)
            implements ConfigNode {
        public MapNode {
            entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
            keyOrigins = Map.copyOf(keyOrigins);
        }

        public MapNode(Map<String, ConfigNode> entries, Origin origin) {
            this(entries, Map.of(), origin);
        }

        public ConfigNode get(String key) {
            return entries.get(key);
        }

        /** Where {@code key} is written, or its value's origin when unknown. */
        public Origin keyOrigin(String key) {
            Origin origin = keyOrigins.get(key);
            return origin != null ? origin : entries.get(key).origin();
        }

        @Override
        public String kind() {
            return "a mapping";
        }
    }

    record ListNode(List<ConfigNode> items, Origin origin) implements ConfigNode {
        public ListNode {
            items = List.copyOf(items);
        }

        @Override
        public String kind() {
            return "a list";
        }
    }

    /** A scalar: String, Long, Double, Boolean or null (YAML {@code ~} / empty). */
    record ScalarNode(Object value, Origin origin) implements ConfigNode {
        @Override
        public String kind() {
            if (value == null) {
                return "empty";
            }
            if (value instanceof String) {
                return "text";
            }
            return value instanceof Boolean ? "true/false" : "a number";
        }

        public String text() {
            return value == null ? "" : String.valueOf(value);
        }
    }
}
