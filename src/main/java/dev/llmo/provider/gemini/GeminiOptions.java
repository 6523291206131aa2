package dev.llmo.provider.gemini;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmo.config.ProviderType;
import dev.llmo.provider.ChatRequest;
import dev.llmo.provider.http.CanonicalOptions;
import dev.llmo.provider.http.Json;
import dev.llmo.provider.http.Options;
import dev.llmo.provider.http.ReservedOptions;
import dev.llmo.provider.http.ToolJson;

/**
 * The request options of a Gemini {@code generateContent} body, each under its camelCase name (so {@code top_k} and
 * {@code topK} both work): the fields Gemini reads beside {@code contents} ({@link #BODY_FIELDS}: the tool
 * definitions {@code tools}, {@code toolConfig}, {@code safetySettings}, {@code cachedContent}) are fields of the body;
 * every other option goes into {@code generationConfig}, the canonical ones ({@link CanonicalOptions}) under Gemini's
 * names.
 *
 * <ul>
 *   <li>{@code max_tokens} (and {@code max_output_tokens}) becomes {@code maxOutputTokens}</li>
 *   <li>{@code stop} becomes {@code stopSequences} (a list)</li>
 *   <li>{@code reasoning_effort} / {@code reasoning_budget} become
 *       {@code thinkingConfig: {thinkingBudget: N, includeThoughts: true}} ({@code thinkingBudget: 0} for
 *       {@code none} / 0, thinking off)</li>
 *   <li>{@code temperature}, {@code top_p} ({@code topP}), {@code seed} keep their meaning</li>
 * </ul>
 */
public final class GeminiOptions {
    /** The options that are fields of a {@code generateContent} body, beside {@code contents}, not generation options. */
    static final java.util.Set<String> BODY_FIELDS = java.util.Set.of("tools", "toolConfig", "safetySettings",
            "cachedContent");

    private GeminiOptions() {
    }

    /**
     * The option fields of {@code request}'s body: the {@link #BODY_FIELDS} given, then
     * {@code generationConfig} when any other option is; empty when it has no options.
     */
    public static ObjectNode fields(ChatRequest request) {
        CanonicalOptions.Reasoning reasoning = CanonicalOptions.checked(request.options());
        ObjectNode fields = Json.object();
        ObjectNode config = Json.object();
        Options body = new Options(fields, ProviderType.GEMINI.id());
        Options out = new Options(config, ProviderType.GEMINI.id());
        request.options().forEach((name, value) -> {
            if (ReservedOptions.isReserved(ProviderType.GEMINI, name)) {
                return;
            }
            String field = Options.camelCase(name);
            if (field.equals("tools")) {
                ToolJson.refuseBesideDeclared(request, name);
            }
            if (BODY_FIELDS.contains(field)) {
                body.put(name, field, value);
                return;
            }
            switch (name) {
                case CanonicalOptions.MAX_TOKENS, "max_output_tokens" -> out.put(name, "maxOutputTokens", value);
                case CanonicalOptions.STOP -> out.put(name, "stopSequences", CanonicalOptions.stopList(value));
                case CanonicalOptions.REASONING_EFFORT, CanonicalOptions.REASONING_BUDGET ->
                        out.set(name, "thinkingConfig", thinkingConfig(reasoning));
                default -> out.put(name, field, value);
            }
        });
        if (!config.isEmpty()) {
            fields.set("generationConfig", config);
        }
        return fields;
    }

    private static ObjectNode thinkingConfig(CanonicalOptions.Reasoning reasoning) {
        long budget = reasoning.budgetFor(ProviderType.GEMINI.id());
        ObjectNode config = Json.object().put("thinkingBudget", budget);
        if (budget > 0) {
            config.put("includeThoughts", true); // the reasoning is shown, as Anthropic's thinking is
        }
        return config;
    }
}
