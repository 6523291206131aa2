package dev.llmo.config;

import dev.llmo.config.ConfigNode.ListNode;
import dev.llmo.config.ConfigNode.MapNode;
import dev.llmo.config.ConfigNode.ScalarNode;
import dev.llmo.failure.ConfigException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Typed reads from a {@link ConfigNode} tree; every mistake becomes a {@code path:line:column:} error. */
final class ConfigFields {
    private ConfigFields() {
    }

    static ConfigException error(ConfigNode node, String message) {
        return new ConfigException(node.origin().where() + ": " + message, null);
    }

    /**
     * Checks that {@code url}, the value of {@code key} at {@code node}, is an http:// or https:// URL with a host.
     *
     * @param fix the fix the error names, or null
     */
    static void httpUrl(ConfigNode node, String key, String url, String fix) {
        try {
            java.net.URI uri = new java.net.URI(url);
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
                // java.net.URI takes any number as a port; OkHttp refuses the URL at the first call
                if (!Urls.parsedAsShown(url)) {
                    // the request would go to a piece of the password taken for the host, the key with it
                    throw new ConfigException(node.origin().where() + ": " + key + " '" + Urls.shown(url)
                            + "' has a user name or password with an unescaped '/', '?', '#' or '@', which a URL "
                            + "parser reads as part of the host or path", "percent-encode those characters in it "
                            + "(/ as %2F, ? as %3F, # as %23, @ as %40)");
                }
                if (uri.getPort() == -1 || uri.getPort() >= 1 && uri.getPort() <= 65535) {
                    return;
                }
                throw new ConfigException(node.origin().where() + ": " + key + " '" + Urls.shown(url)
                        + "' has an invalid port; a port is a number from 1 to 65535", fix);
            }
        } catch (java.net.URISyntaxException e) {
            // reported below
        }
        throw new ConfigException(node.origin().where() + ": " + key + " '" + Urls.shown(url)
                + "' is not an http:// or https:// URL", fix);
    }

    static MapNode map(ConfigNode node, String what) {
        if (node instanceof MapNode map) {
            return map;
        }
        throw error(node, what + " must be a mapping (key: value), not " + node.kind());
    }

    /** Rejects keys that are not in {@code known}, suggesting the closest known one. */
    static void onlyKeys(MapNode map, String what, Collection<String> known) {
        for (Map.Entry<String, ConfigNode> e : map.entries().entrySet()) {
            if (!known.contains(e.getKey())) {
                String hint = NameSuggestions.didYouMean(e.getKey(), known);
                throw new ConfigException(map.keyOrigin(e.getKey()).where() + ": unknown key '" + e.getKey() + "' in " + what
                        + (hint.isEmpty() ? " (known: " + String.join(", ", known) + ")" : " (" + hint + ")"), null);
            }
        }
    }

    /**
     * Rejects a key that is a misspelling of one in {@code known}, where other keys are allowed (and sent as request
     * options): {@code context_windw} would otherwise be sent to the provider and leave the window unknown.
     */
    static void noMisspelledKeys(MapNode map, String what, Collection<String> known, String others) {
        for (String key : map.entries().keySet()) {
            if (!known.contains(key)) {
                NameSuggestions.misspelled(key, known).ifPresent(meant -> {
                    throw new ConfigException(map.keyOrigin(key).where() + ": unknown key '" + key + "' in " + what
                            + " (did you mean '" + meant + "'?)", "correct it; " + others);
                });
            }
        }
    }

    static String string(MapNode map, String key, String what) {
        ConfigNode node = map.get(key);
        if (node == null || node instanceof ScalarNode s && s.value() == null) {
            return null;
        }
        if (node instanceof ScalarNode s && !(s.value() instanceof Boolean)) {
            return s.text();
        }
        throw error(node, "'" + key + "' of " + what + " must be text, not " + node.kind());
    }

    static String requiredString(MapNode map, String key, String what) {
        String value = string(map, key, what);
        if (value == null || value.isBlank()) {
            throw new ConfigException(map.origin().where() + ": " + what + " needs '" + key + "'", null);
        }
        return value;
    }

    /** @param example a value that suits the field, for the fix (e.g. {@code 60} for a timeout in seconds) */
    static Long positiveLong(MapNode map, String key, String what, long example) {
        ConfigNode node = map.get(key);
        if (node == null || node instanceof ScalarNode s && s.value() == null) {
            return null;
        }
        if (node instanceof ScalarNode s && s.value() instanceof Long n && n > 0) {
            return n;
        }
        throw new ConfigException(node.origin().where() + ": '" + key + "' of " + what + " must be a whole number "
                + "above 0, got " + describe(node), "write a whole number such as " + example + ", or leave '" + key
                + "' out for its default");
    }

    /** {@code true}/{@code false}, or {@code otherwise} when unset. */
    static boolean bool(MapNode map, String key, String what, boolean otherwise) {
        ConfigNode node = map.get(key);
        if (node == null || node instanceof ScalarNode s && s.value() == null) {
            return otherwise;
        }
        if (node instanceof ScalarNode s && s.value() instanceof Boolean b) {
            return b;
        }
        throw new ConfigException(node.origin().where() + ": '" + key + "' of " + what + " must be true or false, got "
                + describe(node), "write " + key + ": true or " + key + ": false");
    }

    static BigDecimal nonNegativeDecimal(MapNode map, String key, String what) {
        ConfigNode node = map.get(key);
        if (node == null || node instanceof ScalarNode s && s.value() == null) {
            return null;
        }
        if (node instanceof ScalarNode s && s.value() instanceof Number n) {
            BigDecimal value = n instanceof BigDecimal d ? d : BigDecimal.valueOf(n.longValue());
            if (value.signum() >= 0) {
                return value;
            }
        }
        throw error(node, "'" + key + "' of " + what + " must be a number of 0 or more, got " + describe(node));
    }

    /** A list of strings; a single string is a list of one. */
    static List<String> strings(MapNode map, String key, String what) {
        ConfigNode node = map.get(key);
        List<String> result = new ArrayList<>();
        if (node == null || node instanceof ScalarNode s && s.value() == null) {
            return result;
        }
        List<ConfigNode> items = node instanceof ListNode list ? list.items() : List.of(node);
        for (ConfigNode item : items) {
            if (!(item instanceof ScalarNode s) || s.value() == null || s.value() instanceof Boolean) {
                throw error(item, "'" + key + "' of " + what + " must be text or a list of text, got "
                        + describe(item));
            }
            result.add(s.text());
        }
        return result;
    }

    /** The node as plain Java values (Map, List, String, Long, BigDecimal, Boolean, null) for request options. */
    static Object plain(ConfigNode node) {
        if (node instanceof MapNode map) {
            Map<String, Object> result = new LinkedHashMap<>();
            map.entries().forEach((k, v) -> result.put(k, plain(v)));
            return result;
        }
        if (node instanceof ListNode list) {
            return list.items().stream().map(ConfigFields::plain).toList();
        }
        return ((ScalarNode) node).value();
    }

    static String describe(ConfigNode node) {
        if (node instanceof ScalarNode s && s.value() instanceof String text) {
            return "text \"" + text + "\"";
        }
        if (node instanceof ScalarNode s && s.value() != null) {
            return s.text();
        }
        return node.kind();
    }
}
