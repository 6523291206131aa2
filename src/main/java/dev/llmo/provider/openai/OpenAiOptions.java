package dev.llmo.provider.openai;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmo.config.ProviderConfig;
import dev.llmo.config.ProviderType;
import dev.llmo.failure.UsageException;
import dev.llmo.provider.ChatRequest;
import dev.llmo.provider.http.CanonicalOptions;
import dev.llmo.provider.http.Json;
import dev.llmo.provider.http.Options;
import dev.llmo.provider.http.ReservedOptions;
import dev.llmo.provider.http.ToolJson;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The request options of an OpenAI Chat Completions body: the canonical ones ({@link CanonicalOptions}) under
 * OpenAI's names, every other one unchanged.
 *
 * <ul>
 *   <li>{@code max_tokens} becomes {@code max_completion_tokens} on OpenAI's own endpoint (where {@code max_tokens} is
 *       deprecated) and for the reasoning models (o1, o3, o4 and gpt-5 families, which reject {@code max_tokens})
 *       on any server; other compatible servers (Ollama, vLLM, llama.cpp, Groq...) keep {@code max_tokens}, which
 *       some of them only know</li>
 *   <li>{@code reasoning_effort}, {@code stop}, {@code temperature}, {@code top_p}, {@code seed} keep their
 *       names</li>
 *   <li>{@code reasoning_budget} is refused: the format takes an effort level, not a budget</li>
 * </ul>
 */
public final class OpenAiOptions {
    private static final String OFFICIAL_HOST = "api.openai.com";
    /** The reasoning families, by the model's last path segment ({@code openai/o3} on a router counts too). */
    private static final Pattern REASONING_MODEL = Pattern.compile("(o1|o3|o4|gpt-5)([-.].*)?");

    private OpenAiOptions() {
    }

    /** The option fields of {@code request}'s body to {@code provider}. */
    public static ObjectNode fields(ChatRequest request, ProviderConfig provider) {
        CanonicalOptions.checked(request.options()); // values, and both reasoning options set, refused as in every format
        String limit = completionTokens(request.model(), provider.baseUrl()) ? "max_completion_tokens" : "max_tokens";
        ObjectNode fields = Json.object();
        Options out = new Options(fields, ProviderType.OPENAI.id());
        for (Map.Entry<String, Object> option : request.options().entrySet()) { // a loop: every call (ADR-003)
            String name = option.getKey();
            Object value = option.getValue();
            if (ReservedOptions.isReserved(ProviderType.OPENAI, name)) {
                continue;
            }
            switch (name) {
                case "tools" -> {
                    ToolJson.refuseBesideDeclared(request, name);
                    out.put(name, name, value);
                }
                case CanonicalOptions.MAX_TOKENS -> out.put(name, limit, value);
                case CanonicalOptions.REASONING_BUDGET -> throw new UsageException("option 'reasoning_budget' cannot "
                        + "be sent to " + provider.name() + "/" + request.model() + ": the openai format takes an "
                        + "effort level, not a token budget", "use -o reasoning_effort=low|medium|high instead");
                default -> out.put(name, name, value);
            }
        }
        return fields;
    }

    /** Whether the answer's limit is {@code max_completion_tokens} for {@code model} at {@code baseUrl}. */
    static boolean completionTokens(String model, String baseUrl) {
        // java.net.URI, not OkHttp's parser: a call that goes without OkHttp sets none of it up (ADR-003)
        String host = null;
        try {
            host = new java.net.URI(baseUrl).getHost();
        } catch (java.net.URISyntaxException e) {
            // not a URL this check can read; the configuration has checked base_url
        }
        if (OFFICIAL_HOST.equalsIgnoreCase(host)) {
            return true;
        }
        String name = model.substring(model.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
        return REASONING_MODEL.matcher(name).matches();
    }
}
