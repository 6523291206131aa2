package dev.llmo.config;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One model listed under a provider in models.yaml. Unknown window, output limit or price are null: a model
 * that is not listed still works, with nothing known about it.
 *
 * @param defaultMaxTokens the answer's limit of a request that sets none ({@code max_tokens} and the like): the
 *                         model's {@code default_max_tokens}, else config.yaml's {@code defaults.max_tokens}, never
 *                         above {@code maxOutputTokens}; null when neither is set
 * @param options          any other key of the entry: default request options (temperature, top_p, ...)
 * @param input            what the model takes ({@code input:} of the entry, else of its provider): some of
 *                         {@link #INPUT_KINDS}; null when unknown, and then anything is sent as is
 */
public record ModelSpec(String name, List<String> aliases, Long contextWindow, Long maxOutputTokens,
                        Long defaultMaxTokens, Pricing pricing, Map<String, Object> options, Origin origin,
                        Set<String> input) {
    /** The kinds of input models.yaml's {@code input:} names. */
    public static final List<String> INPUT_KINDS = List.of("text", "image", "pdf", "audio");

    public ModelSpec {
        aliases = List.copyOf(aliases);
        options = Map.copyOf(options);
        input = input == null ? null : Set.copyOf(input);
        if (defaultMaxTokens != null && maxOutputTokens != null && defaultMaxTokens > maxOutputTokens) {
            defaultMaxTokens = maxOutputTokens;
        }
    }

    /** A model whose input kinds are unknown. */
    public ModelSpec(String name, List<String> aliases, Long contextWindow, Long maxOutputTokens,
                     Long defaultMaxTokens, Pricing pricing, Map<String, Object> options, Origin origin) {
        this(name, aliases, contextWindow, maxOutputTokens, defaultMaxTokens, pricing, options, origin, null);
    }

    /** The kind of input a media type is: {@code image}, {@code pdf}, {@code audio}, {@code text}, or the type. */
    public static String inputKind(String mediaType) {
        if (mediaType.startsWith("image/")) {
            return "image";
        }
        if (mediaType.startsWith("audio/")) {
            return "audio";
        }
        if (mediaType.startsWith("text/")) {
            return "text";
        }
        return mediaType.equals("application/pdf") ? "pdf" : mediaType;
    }

    /** Whether the model takes {@code mediaType}: true or false when models.yaml says, true when it does not. */
    public boolean accepts(String mediaType) {
        return input == null || input.contains(inputKind(mediaType));
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
