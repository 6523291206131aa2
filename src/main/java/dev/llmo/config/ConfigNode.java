package dev.llmo.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A parsed YAML value that remembers where it came from. Immutable. */
public sealed interface ConfigNode {

    Origin origin();

    /** A short name of the node's kind for error messages ("a mapping", "a list", "a number"). */
    String kind();

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
