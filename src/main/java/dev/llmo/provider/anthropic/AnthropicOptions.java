package dev.llmo.provider.anthropic;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmo.config.ProviderType;
import dev.llmo.failure.UsageException;
import dev.llmo.provider.ChatRequest;
import dev.llmo.provider.http.CanonicalOptions;
import dev.llmo.provider.http.Json;
import dev.llmo.provider.http.Options;
import dev.llmo.provider.http.ReservedOptions;
import dev.llmo.provider.http.ToolJson;

/**
 * The request options of an Anthropic Messages body: the canonical ones ({@link CanonicalOptions}) under Anthropic's
 * names, every other one unchanged.
 *
 * <ul>
 *   <li>{@code max_tokens} is required: the option, else the request's output limit, else
 *       {@value AnthropicOptions#DEFAULT_MAX_TOKENS}</li>
 *   <li>{@code stop} becomes {@code stop_sequences} (a list)</li>
 *   <li>{@code reasoning_effort} / {@code reasoning_budget} become {@code thinking}:
 *       {@code {"type":"enabled","budget_tokens":N}} (the form Claude models up to 4.5 take), or
 *       {@code {"type":"disabled"}} for {@code none} / 0; the budget counts toward {@code max_tokens}, which must be
 *       larger</li>
 *   <li>{@code temperature} (0 to 1 here: above is refused before sending), {@code top_p} keep their names
 *       ({@code seed} passes through; the API has none)</li>
 * </ul>
 */
public final class AnthropicOptions {
    /** {@code max_tokens} when neither the options nor models.yaml give one. */
    static final long DEFAULT_MAX_TOKENS = 4096;

    private AnthropicOptions() {
    }

    /** The option fields of {@code request}'s body, {@code max_tokens} first. */
    public static ObjectNode fields(ChatRequest request) {
        CanonicalOptions.Reasoning reasoning = CanonicalOptions.checked(request.options());
        // the Messages API takes a temperature from 0 to 1 (OpenAI and Gemini 0 to 2): refused before it is sent
        CanonicalOptions.requireAtMost(request.options(), CanonicalOptions.TEMPERATURE, "1", ProviderType.ANTHROPIC.id(),
                "0.7");
        ObjectNode fields = Json.object();
        Options out = new Options(fields, ProviderType.ANTHROPIC.id());
        Object maxTokens = request.options().get(CanonicalOptions.MAX_TOKENS);
        if (maxTokens == null) {
            maxTokens = request.maxOutputTokens() != null ? request.maxOutputTokens() : DEFAULT_MAX_TOKENS;
        }
        out.put(CanonicalOptions.MAX_TOKENS, "max_tokens", maxTokens);
        for (var option : request.options().entrySet()) {
            String name = option.getKey();
            if (name.equals(CanonicalOptions.MAX_TOKENS) || ReservedOptions.isReserved(ProviderType.ANTHROPIC, name)) {
                continue;
            }
            switch (name) {
                case "tools" -> {
                    ToolJson.refuseBesideDeclared(request, name);
                    out.put(name, name, option.getValue());
                }
                case CanonicalOptions.STOP -> out.put(name, "stop_sequences", CanonicalOptions.stopList(option.getValue()));
                case CanonicalOptions.REASONING_EFFORT, CanonicalOptions.REASONING_BUDGET ->
                        out.set(name, "thinking", thinking(reasoning, maxTokens));
                default -> out.put(name, name, option.getValue());
            }
        }
        return fields;
    }

    private static ObjectNode thinking(CanonicalOptions.Reasoning reasoning, Object maxTokens) {
        ObjectNode thinking = Json.object();
        if (reasoning.off()) {
            return thinking.put("type", "disabled");
        }
        long budget = reasoning.budgetFor(ProviderType.ANTHROPIC.id());
        Long limit = CanonicalOptions.count(maxTokens);
        if (limit != null && budget >= limit) {
            throw new UsageException("a reasoning budget of " + budget + " tokens needs max_tokens above it for "
                    + "anthropic (thinking counts toward max_tokens, here " + limit + ")",
                    "raise -o max_tokens above " + budget + " or lower the reasoning");
        }
        return thinking.put("type", "enabled").put("budget_tokens", budget);
    }
}
