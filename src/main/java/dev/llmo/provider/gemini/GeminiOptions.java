package dev.llmo.provider.gemini;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmo.config.ProviderType;
import dev.llmo.provider.ChatRequest;
import dev.llmo.provider.http.CanonicalOptions;
import dev.llmo.provider.http.Json;
import dev.llmo.provider.http.Options;
import dev.llmo.provider.http.ReservedOptions;

/**
 * The request options of a Gemini {@code generateContent} body: all go into {@code generationConfig}, the canonical
 * ones ({@link CanonicalOptions}) under Gemini's names, every other one under its camelCase name (so
 * {@code top_k} and {@code topK} both work).
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
    private GeminiOptions() {
    }

    /** The {@code generationConfig} of {@code request}'s body; empty when it has no options. */
    public static ObjectNode generationConfig(ChatRequest request) {
        CanonicalOptions.Reasoning reasoning = CanonicalOptions.reasoning(request.options());
        ObjectNode config = Json.object();
        Options out = new Options(config, ProviderType.GEMINI.id());
        request.options().forEach((name, value) -> {
            if (ReservedOptions.isReserved(ProviderType.GEMINI, name)) {
                return;
            }
            switch (name) {
                case CanonicalOptions.MAX_TOKENS, "max_output_tokens" -> out.put(name, "maxOutputTokens", value);
                case CanonicalOptions.STOP -> out.put(name, "stopSequences", CanonicalOptions.stopList(value));
                case CanonicalOptions.REASONING_EFFORT, CanonicalOptions.REASONING_BUDGET ->
                        out.set(name, "thinkingConfig", thinkingConfig(reasoning));
                default -> out.put(name, Options.camelCase(name), value);
            }
        });
        return config;
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
