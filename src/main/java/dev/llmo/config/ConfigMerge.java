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
        for (Map.Entry<String, ConfigNode> entry : upper.entries().entrySet()) {
            ConfigNode below = merged.get(entry.getKey());
            if (below instanceof MapNode belowMap && entry.getValue() instanceof MapNode upperMap) {
                merged.put(entry.getKey(), merge(belowMap, upperMap));
            } else {
                merged.put(entry.getKey(), entry.getValue());
            }
        }
        return new MapNode(merged, keyOrigins, upper.entries().isEmpty() ? lower.origin() : upper.origin());
    }
}
