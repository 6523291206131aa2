package dev.llmo.provider.http;

import dev.llmo.config.ModelSpec;
import dev.llmo.config.ProviderType;
import dev.llmo.failure.ConfigException;
import dev.llmo.failure.UsageException;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * The request options ({@code -o}, a role's options, a model's defaults in models.yaml) that would change the
 * request's structure or the answer's, so that what is sent, read, priced and logged would no longer be one text
 * answer to the conversation the event log holds. Each wire format has its own keys:
 *
 * <ul>
 *   <li>openai: written by the builder {@code model}, {@code messages}, {@code stream}, {@code stream_options};
 *       the deprecated tool calling {@code functions}, {@code function_call}; several answers {@code n} other than
 *       1; other output than text {@code modalities} other than {@code ["text"]}, {@code audio}</li>
 *   <li>anthropic: written by the builder {@code model}, {@code messages}, {@code system}, {@code stream} (it has
 *       no way to ask for several answers)</li>
 *   <li>gemini (compared in camelCase, so snake_case spellings are caught too): the body's own keys {@code model},
 *       {@code contents}, {@code systemInstruction}, {@code generationConfig}, {@code stream}; several answers
 *       {@code candidateCount} other than 1; other output than text {@code responseModalities} other than
 *       {@code ["TEXT"]}</li>
 * </ul>
 * A key of one format that means nothing in another (Anthropic's {@code system} in an OpenAI request) is left to
 * that provider, which rejects it: it cannot change the structure there. {@code max_tokens} is an option on purpose:
 * Anthropic requires one, and the builder's default yields to the user's. Tool definitions pass in each
 * format's own form (OpenAI and Anthropic {@code tools}, {@code tool_choice}, OpenAI's {@code parallel_tool_calls};
 * Gemini {@code tools}, {@code toolConfig}): the tool calls the model makes are read as parts of the answer, shown in
 * {@code --json} and logged, and llmo does not run them. When llmo declares tools itself (a run with tools), a
 * {@code tools} option beside them is refused ({@link ToolJson#refuseBesideDeclared}); the choice options still pass.
 */
public final class ReservedOptions {
    /** Why an option is refused. */
    private enum Reason {
        /** The request builder writes the key itself. */
        WRITTEN,
        /** Tool calling in a form llmo does not read: OpenAI's deprecated functions. */
        TOOLS,
        /** More than one answer (choice, candidate): llmo reads, prices and logs exactly one. */
        CHOICES,
        /** Output other than text (audio, images): nothing llmo could print or log. */
        MODALITIES
    }

    private static final Map<String, Reason> OPENAI = Map.ofEntries(
            Map.entry("model", Reason.WRITTEN), Map.entry("messages", Reason.WRITTEN),
            Map.entry("stream", Reason.WRITTEN), Map.entry("stream_options", Reason.WRITTEN),
            Map.entry("functions", Reason.TOOLS), Map.entry("function_call", Reason.TOOLS),
            Map.entry("n", Reason.CHOICES),
            Map.entry("modalities", Reason.MODALITIES), Map.entry("audio", Reason.MODALITIES));
    private static final Map<String, Reason> ANTHROPIC = Map.of(
            "model", Reason.WRITTEN, "messages", Reason.WRITTEN, "system", Reason.WRITTEN, "stream", Reason.WRITTEN);
    // camelCase, the form Gemini's JSON uses
    private static final Map<String, Reason> GEMINI = Map.of(
            "model", Reason.WRITTEN, "contents", Reason.WRITTEN, "systemInstruction", Reason.WRITTEN,
            "generationConfig", Reason.WRITTEN, "stream", Reason.WRITTEN,
            "candidateCount", Reason.CHOICES,
            "responseModalities", Reason.MODALITIES);

    private ReservedOptions() {
    }

    /**
     * Whether the request builder of {@code type} writes {@code option} itself: such an option must never be put into
     * the body, whatever its value.
     */
    public static boolean isReserved(ProviderType type, String option) {
        return reason(type, option) == Reason.WRITTEN;
    }

    /** Why {@code option} set to {@code value} is refused in a request of {@code type}; null when it may be sent. */
    private static Reason refusal(ProviderType type, String option, Object value) {
        Reason reason = reason(type, option);
        if (reason == null) {
            return null;
        }
        return switch (reason) {
            case CHOICES -> isOne(value) ? null : reason;
            case MODALITIES -> textOnly(value) ? null : reason;
            default -> reason;
        };
    }

    private static Reason reason(ProviderType type, String option) {
        return switch (type) {
            case OPENAI -> OPENAI.get(option);
            case ANTHROPIC -> ANTHROPIC.get(option);
            case GEMINI -> GEMINI.get(Options.camelCase(option));
        };
    }

    /** The number 1 (1, 1.0): one answer, the default, so harmless. */
    private static boolean isOne(Object value) {
        if (!(value instanceof Number number)) {
            return false;
        }
        try {
            return new BigDecimal(number.toString()).compareTo(BigDecimal.ONE) == 0;
        } catch (NumberFormatException e) {
            return false; // NaN, infinity
        }
    }

    /** A list naming text output only ({@code ["text"]}, Gemini's {@code ["TEXT"]}): the default, so harmless. */
    private static boolean textOnly(Object value) {
        return value instanceof List<?> list && !list.isEmpty()
                && list.stream().allMatch(item -> item instanceof String s && s.equalsIgnoreCase("text"));
    }

    /**
     * Refuses such options, and values of llmo's own options that {@link CanonicalOptions#checked} refuses (a
     * temperature of 7), among the model's defaults (a configuration error, exit 3); and such options among the
     * request's options ({@code -o} or a role's options: a usage error, exit 2), before anything is sent.
     */
    public static void check(ProviderType type, String providerName, ModelSpec model, Map<String, ?> requestOptions) {
        CanonicalOptions.checkConfigured(model.options(), model.origin().where(), "model '" + model.name() + "'",
                "change it in the model's entry in models.yaml");
        for (Map.Entry<String, ?> option : model.options().entrySet()) { // loops: every call comes here (ADR-003)
            String name = option.getKey();
            Object value = option.getValue();
            Reason reason = refusal(type, name, value);
            if (reason != null) {
                throw new ConfigException(model.origin().where() + ": model '" + model.name() + "' sets option '"
                        + name + "'" + (reason == Reason.WRITTEN ? ", which llmo writes itself in requests of type "
                        + type.id() : " to " + shown(value) + ": " + why(reason, type, providerName, name)),
                        "remove '" + name + "' from the model's entry in models.yaml");
            }
        }
        for (Map.Entry<String, ?> option : requestOptions.entrySet()) {
            String name = option.getKey();
            Object value = option.getValue();
            Reason reason = refusal(type, name, value);
            if (reason != null) {
                throw new UsageException("option '" + name + "' cannot be set (-o " + name + "="
                        + (reason == Reason.WRITTEN ? "…" : shown(value)) + "): "
                        + why(reason, type, providerName, name), fixFor(reason, name));
            }
        }
    }

    private static String why(Reason reason, ProviderType type, String providerName, String name) {
        return switch (reason) {
            case WRITTEN -> "llmo writes '" + name + "' of the " + type.id() + " request to provider '" + providerName
                    + "' itself";
            case TOOLS -> "'" + name + "' is the deprecated form of OpenAI tool calling";
            case CHOICES -> "it asks provider '" + providerName + "' for more than one answer, and llmo reads, prices "
                    + "and logs one answer per call";
            case MODALITIES -> "it asks provider '" + providerName + "' for output other than text, which llmo "
                    + "cannot print or log";
        };
    }

    /** A value as the user would type it after {@code =}, cut short: the error stays one readable line. */
    private static String shown(Object value) {
        String text = (value instanceof String s ? s : Json.write(Json.tree(value)))
                .replaceAll("[\\s\\p{Cntrl}]+", " ");
        return text.length() <= 40 ? text : text.substring(0, 39) + "…";
    }

    private static String fixFor(Reason reason, String name) {
        return switch (reason) {
            case WRITTEN -> switch (name) {
                case "model" -> "choose the model with -m MODEL";
                case "system", "systemInstruction", "system_instruction" -> "give the system prompt with -s or a role";
                case "stream", "stream_options" -> "use --no-stream for a whole answer";
                case "generationConfig", "generation_config" -> "give its fields one by one, e.g. -o temperature=0.2";
                default -> "give the prompt as arguments or on stdin; drop -o " + name;
            };
            case TOOLS -> "drop -o " + name + "; give tools with -o tools=[…] and -o tool_choice=…";
            case CHOICES -> "drop -o " + name + " (one answer is the default); run llmo again for another answer";
            case MODALITIES -> "drop -o " + name + ": llmo asks for text answers";
        };
    }
}
