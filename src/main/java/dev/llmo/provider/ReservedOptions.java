package dev.llmo.provider;

import dev.llmo.config.ModelSpec;
import dev.llmo.config.ProviderType;
import dev.llmo.core.ConfigException;
import dev.llmo.core.UsageException;
import dev.llmo.provider.http.Options;
import java.util.Map;
import java.util.Set;

/**
 * The request keys that each wire format's request builder writes itself: the model, the conversation, the system
 * prompt and the streaming switches. An option ({@code -o}, a role's options, a model's defaults in models.yaml) may
 * not replace them, or the body sent would differ from what the event log says was sent.
 *
 * <ul>
 *   <li>openai: {@code model}, {@code messages}, {@code stream}, {@code stream_options}</li>
 *   <li>anthropic: {@code model}, {@code messages}, {@code system}, {@code stream}</li>
 *   <li>gemini (options go into {@code generationConfig}, the rest of the body is the builder's):
 *       {@code model}, {@code contents}, {@code systemInstruction} / {@code system_instruction},
 *       {@code generationConfig} / {@code generation_config}, {@code stream}</li>
 * </ul>
 * {@code max_tokens} is an option on purpose: Anthropic requires one, and the builder's default yields to the user's.
 */
public final class ReservedOptions {
    private static final Set<String> OPENAI = Set.of("model", "messages", "stream", "stream_options");
    private static final Set<String> ANTHROPIC = Set.of("model", "messages", "system", "stream");
    // compared in camelCase, the form Gemini's JSON uses, so that snake_case spellings are caught too
    private static final Set<String> GEMINI = Set.of("model", "contents", "systemInstruction", "generationConfig",
            "stream");

    private ReservedOptions() {
    }

    /** Whether the request builder of {@code type} writes {@code option} itself. */
    public static boolean isReserved(ProviderType type, String option) {
        return switch (type) {
            case OPENAI -> OPENAI.contains(option);
            case ANTHROPIC -> ANTHROPIC.contains(option);
            case GEMINI -> GEMINI.contains(Options.camelCase(option));
        };
    }

    /**
     * Refuses reserved keys among the model's defaults (a configuration error, exit 3) and the request's options
     * ({@code -o} or a role's options: a usage error, exit 2).
     */
    public static void check(ProviderType type, String providerName, ModelSpec model, Map<String, ?> requestOptions) {
        for (String name : model.options().keySet()) {
            if (isReserved(type, name)) {
                throw new ConfigException(model.origin().where() + ": model '" + model.name() + "' sets option '"
                        + name + "', which llmo writes itself in requests of type " + type.id(),
                        "remove '" + name + "' from the model's entry in models.yaml");
            }
        }
        for (String name : requestOptions.keySet()) {
            if (isReserved(type, name)) {
                throw new UsageException("option '" + name + "' cannot be set (-o " + name + "=…): llmo writes '"
                        + name + "' of the " + type.id() + " request to provider '" + providerName + "' itself",
                        fixFor(name));
            }
        }
    }

    private static String fixFor(String name) {
        return switch (name) {
            case "model" -> "choose the model with -m MODEL";
            case "system", "systemInstruction", "system_instruction" -> "give the system prompt with -s or a role";
            case "stream", "stream_options" -> "use --no-stream for a whole answer";
            default -> "give the prompt as arguments or on stdin; drop -o " + name;
        };
    }
}
