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

    record MapNode(Map<String, ConfigNode> entries, Origin origin) implements ConfigNode {
        public MapNode {
            entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
        }

        public ConfigNode get(String key) {
            return entries.get(key);
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
