package dev.llmo.config;

import java.util.List;
import java.util.Map;

/**
 * One model listed under a provider in models.yaml. Unknown window, output limit or price are null: a model
 * that is not listed still works, with nothing known about it.
 *
 * @param options any other key of the entry: default request options (temperature, top_p, ...)
 */
public record ModelSpec(String name, List<String> aliases, Long contextWindow, Long maxOutputTokens,
                        Pricing pricing, Map<String, Object> options, Origin origin) {
    public ModelSpec {
        aliases = List.copyOf(aliases);
        options = Map.copyOf(options);
    }

    /** The entry for a model that models.yaml does not list. */
    public static ModelSpec unlisted(String name, Origin origin) {
        return new ModelSpec(name, List.of(), null, null, null, Map.of(), origin);
    }
}
