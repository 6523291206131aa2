package dev.llmo.provider;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What to send to one model, independent of the wire format.
 *
 * @param model           the provider's model name, e.g. {@code gpt-4o-mini}
 * @param system          the system prompt, or null
 * @param messages        the conversation, ending with the user's turn or, in a tool loop, a tool turn
 * @param options         request options as the user wrote them (temperature, max_tokens, top_p, ...); each client
 *                        translates the common names to its wire format and passes the others through
 * @param maxOutputTokens the model's output limit from models.yaml, or null when unknown; used where a wire format
 *                        requires a limit (Anthropic) and the options set none
 * @param stream          true to receive the answer as it is generated
 * @param tools           the tools the model may call, in the order declared; empty for none
 */
public record ChatRequest(String model, String system, List<ChatMessage> messages, Map<String, Object> options,
                          Long maxOutputTokens, boolean stream, List<ToolDeclaration> tools) {

    public ChatRequest {
        Objects.requireNonNull(model, "model");
        messages = List.copyOf(messages);
        // insertion order kept: the body lists options as the user gave them
        options = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(options));
        tools = List.copyOf(tools);
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("a chat request needs at least one message");
        }
    }

    /** A request without tools. */
    public ChatRequest(String model, String system, List<ChatMessage> messages, Map<String, Object> options,
                       Long maxOutputTokens, boolean stream) {
        this(model, system, messages, options, maxOutputTokens, stream, List.of());
    }

    /** A single user prompt. */
    public static ChatRequest of(String model, String system, String prompt, boolean stream) {
        return new ChatRequest(model, system, List.of(ChatMessage.user(prompt)), Map.of(), null, stream);
    }

    public ChatRequest withStream(boolean stream) {
        return new ChatRequest(model, system, messages, options, maxOutputTokens, stream, tools);
    }

    public ChatRequest withOptions(Map<String, Object> options) {
        return new ChatRequest(model, system, messages, options, maxOutputTokens, stream, tools);
    }

    public ChatRequest withTools(List<ToolDeclaration> tools) {
        return new ChatRequest(model, system, messages, options, maxOutputTokens, stream, tools);
    }
}
