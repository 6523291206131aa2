package dev.llmo.context;

import dev.llmo.config.ModelRef;
import dev.llmo.config.ModelSpec;
import dev.llmo.provider.http.CanonicalOptions;
import java.util.List;
import java.util.Map;

/**
 * What limits one request to one model: its context window and the tokens reserved in it for the answer.
 *
 * @param model               {@code provider/model}, for messages
 * @param contextWindow       the window from models.yaml; null when unknown (then only a token budget limits)
 * @param maxOutputTokens     the most the answer may use: the request's {@code max_tokens} (or
 *                            {@code max_output_tokens}, {@code max_completion_tokens}) option, else the default limit
 *                            ({@link #defaultLimit}), else the model's limit from models.yaml; null when none is
 *                            known
 */
public record ModelCaps(String model, Long contextWindow, Long maxOutputTokens) {
    /**
     * The option names that set the answer's limit in some wire format ({@code maxOutputTokens} is Gemini's own
     * spelling, which its request builder passes through as is).
     */
    static final List<String> MAX_TOKEN_OPTIONS = List.of("max_tokens", "max_output_tokens", "max_completion_tokens",
            "maxOutputTokens");

    /**
     * Reserved in a window when the answer's limit is unknown: enough for a long answer, and never more than a
     * quarter of the window.
     */
    public static final long DEFAULT_RESERVED_OUTPUT = 4096;

    /**
     * The caps of {@code model} for a request with {@code options} (the merged request options). Of several limit
     * options the largest counts: the request carries them all and which one a server obeys is the server's, so a
     * small {@code max_tokens} beside a large {@code max_completion_tokens} cannot shrink what the budgets count.
     */
    public static ModelCaps of(ModelRef model, Map<String, ?> options) {
        ModelSpec spec = model.spec();
        Long requested = null;
        for (String name : MAX_TOKEN_OPTIONS) {
            Object value = options.get(name);
            Long limit = value == null ? null : asLong(value);
            if (limit != null && limit > 0 && (requested == null || limit > requested)) {
                requested = limit;
            }
        }
        if (requested == null && !setsLimit(options)) {
            requested = defaultLimit(spec, options);
        }
        return new ModelCaps(model.id(), spec.contextWindow(), requested != null ? requested : spec.maxOutputTokens());
    }

    /** Whether {@code options} set the answer's limit themselves (any limit option, whatever its value). */
    public static boolean setsLimit(Map<String, ?> options) {
        for (String option : MAX_TOKEN_OPTIONS) {
            if (options.containsKey(option)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The answer's limit of a request whose options set none, sent as its {@code max_tokens} and counted by the
     * budgets: the model's default ({@link ModelSpec#defaultMaxTokens()}) plus the thinking tokens the reasoning
     * options ask for (so that thinking cannot eat the whole answer), never above the model's
     * {@code max_output_tokens} nor, when that is unknown, a quarter of its context window (the rest is the
     * prompt's); null when the model has no default.
     */
    public static Long defaultLimit(ModelSpec spec, Map<String, ?> options) {
        if (spec.defaultMaxTokens() == null) {
            return null;
        }
        long limit = spec.defaultMaxTokens() + CanonicalOptions.reasoningTokens(options);
        if (spec.maxOutputTokens() != null) {
            return Math.min(limit, spec.maxOutputTokens());
        }
        return spec.contextWindow() == null ? limit : Math.min(limit, Math.max(1, spec.contextWindow() / 4));
    }

    private static Long asLong(Object value) {
        if (value instanceof Number number) {
            return number.longValue();
        }
        try {
            return Long.parseLong(value.toString().strip());
        } catch (NumberFormatException e) {
            return null; // a malformed option is the provider's to reject; it limits nothing here
        }
    }

    /** The tokens kept free in the window for the answer. */
    public long reservedOutputTokens() {
        if (maxOutputTokens != null) {
            return maxOutputTokens;
        }
        return contextWindow == null ? 0 : Math.min(DEFAULT_RESERVED_OUTPUT, contextWindow / 4);
    }

    /**
     * The most tokens the answer can cost: {@link #maxOutputTokens()}, else what the window leaves after
     * {@code inputTokens}; null when neither is known.
     */
    public Long outputBound(long inputTokens) {
        if (maxOutputTokens != null) {
            return maxOutputTokens;
        }
        return contextWindow == null ? null : Math.max(0, contextWindow - inputTokens);
    }
}
