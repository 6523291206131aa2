package dev.llmo.config;

import java.util.List;
import java.util.Map;

/**
 * One model listed under a provider in models.yaml. Unknown window, output limit or price are null: a model
 * that is not listed still works, with nothing known about it.
 *
 * @param defaultMaxTokens the answer's limit of a request that sets none ({@code max_tokens} and the like): the
 *                         model's {@code default_max_tokens}, else config.yaml's {@code defaults.max_tokens}, never
 *                         above {@code maxOutputTokens}; null when neither is set
 * @param options          any other key of the entry: default request options (temperature, top_p, ...)
 */
public record ModelSpec(String name, List<String> aliases, Long contextWindow, Long maxOutputTokens,
                        Long defaultMaxTokens, Pricing pricing, Map<String, Object> options, Origin origin) {
    public ModelSpec {
        aliases = List.copyOf(aliases);
        options = Map.copyOf(options);
        if (defaultMaxTokens != null && maxOutputTokens != null && defaultMaxTokens > maxOutputTokens) {
            defaultMaxTokens = maxOutputTokens;
        }
    }

    /** A model without a default answer limit. */
    public ModelSpec(String name, List<String> aliases, Long contextWindow, Long maxOutputTokens, Pricing pricing,
                     Map<String, Object> options, Origin origin) {
        this(name, aliases, contextWindow, maxOutputTokens, null, pricing, options, origin);
    }

    /** The entry for a model that models.yaml does not list. */
    public static ModelSpec unlisted(String name, Origin origin) {
        return unlisted(name, origin, null);
    }

    /** The entry for a model that models.yaml does not list, with config.yaml's default answer limit. */
    public static ModelSpec unlisted(String name, Origin origin, Long defaultMaxTokens) {
        return new ModelSpec(name, List.of(), null, null, defaultMaxTokens, null, Map.of(), origin);
    }
}
