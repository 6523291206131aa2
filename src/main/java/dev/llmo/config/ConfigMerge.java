package dev.llmo.config;

import dev.llmo.config.ConfigNode.MapNode;
import java.util.LinkedHashMap;
import java.util.Map;

/** The layering rule of design.md: maps merge key by key, everything else (lists too) replaces. */
final class ConfigMerge {
    private ConfigMerge() {
    }

    static MapNode merge(MapNode lower, MapNode upper) {
        Map<String, ConfigNode> merged = new LinkedHashMap<>(lower.entries());
        Map<String, Origin> keyOrigins = new LinkedHashMap<>(lower.keyOrigins());
        keyOrigins.putAll(upper.keyOrigins());
        upper.entries().forEach((key, value) -> {
            ConfigNode below = merged.get(key);
            if (below instanceof MapNode belowMap && value instanceof MapNode upperMap) {
                merged.put(key, merge(belowMap, upperMap));
            } else {
                merged.put(key, value);
            }
        });
        return new MapNode(merged, keyOrigins, upper.entries().isEmpty() ? lower.origin() : upper.origin());
    }
}
