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
 * @param schema          the JSON Schema the answer must follow (structured output), or null for free text
 */
public record ChatRequest(String model, String system, List<ChatMessage> messages, Map<String, Object> options,
                          Long maxOutputTokens, boolean stream, List<ToolDeclaration> tools, ResponseSchema schema) {

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

    /** A request without a response schema. */
    public ChatRequest(String model, String system, List<ChatMessage> messages, Map<String, Object> options,
                       Long maxOutputTokens, boolean stream, List<ToolDeclaration> tools) {
        this(model, system, messages, options, maxOutputTokens, stream, tools, null);
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
        return new ChatRequest(model, system, messages, options, maxOutputTokens, stream, tools, schema);
    }

    public ChatRequest withOptions(Map<String, Object> options) {
        return new ChatRequest(model, system, messages, options, maxOutputTokens, stream, tools, schema);
    }

    /**
     * This request with the reasoning of earlier exchanges left out: an assistant turn before the last user turn
     * keeps its text and tool calls, not its reasoning. Reasoning (and its signature) goes back only within the tool
     * rounds of the current exchange, where providers require it; an earlier one's signature may be another model's,
     * which its provider refuses. A pure function of the messages, so a replay rebuilds the same body.
     */
    public ChatRequest withoutEarlierReasoning() {
        int lastUser = -1;
        for (int i = messages.size() - 1; i >= 0 && lastUser < 0; i--) {
            if (messages.get(i).role() == ChatMessage.Role.USER) {
                lastUser = i;
            }
        }
        boolean any = false;
        for (int i = 0; i < lastUser && !any; i++) {
            any = !messages.get(i).parts(dev.llmo.message.Part.Reasoning.class).isEmpty();
        }
        if (!any) {
            return this;
        }
        List<ChatMessage> kept = new java.util.ArrayList<>(messages.size());
        for (int i = 0; i < messages.size(); i++) {
            ChatMessage message = messages.get(i);
            kept.add(i >= lastUser || message.parts(dev.llmo.message.Part.Reasoning.class).isEmpty() ? message
                    : new ChatMessage(message.role(), message.parts().stream()
                    .filter(part -> !(part instanceof dev.llmo.message.Part.Reasoning)).toList()));
        }
        return new ChatRequest(model, system, kept, options, maxOutputTokens, stream, tools, schema);
    }

    public ChatRequest withTools(List<ToolDeclaration> tools) {
        return new ChatRequest(model, system, messages, options, maxOutputTokens, stream, tools, schema);
    }

    public ChatRequest withSchema(ResponseSchema schema) {
        return new ChatRequest(model, system, messages, options, maxOutputTokens, stream, tools, schema);
    }
}
