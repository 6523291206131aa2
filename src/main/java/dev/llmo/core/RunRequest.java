package dev.llmo.core;

import dev.llmo.provider.ChatMessage;
import dev.llmo.tool.Tool;
import dev.llmo.config.ModelRef;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One call to one model, as the command line asked for it.
 *
 * @param messages the conversation to send, oldest first, ending with the user's newest message (or, in a tool loop,
 *                 the results of the tools the model called)
 * @param system  the system prompt (a role's, {@code -s}, or both), or null
 * @param options request options from the role and {@code -o}; the model's defaults from models.yaml go beneath them
 * @param stream  whether to stream the answer
 * @param tools   the tools the model may call ({@code -T}, a chain step's {@code tools:}); empty for none
 */
public record RunRequest(ModelRef model, String system, List<ChatMessage> messages, Map<String, Object> options,
                         boolean stream, List<Tool> tools) {
    public RunRequest {
        Objects.requireNonNull(model, "model");
        messages = List.copyOf(messages);
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("a run needs at least one message");
        }
        options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
        tools = List.copyOf(tools);
    }

    /** A call without tools. */
    public RunRequest(ModelRef model, String system, List<ChatMessage> messages, Map<String, Object> options,
                      boolean stream) {
        this(model, system, messages, options, stream, List.of());
    }

    /** A single prompt, no history. */
    public static RunRequest of(ModelRef model, String system, String prompt, Map<String, Object> options,
                                boolean stream) {
        return new RunRequest(model, system, List.of(ChatMessage.user(prompt)), options, stream);
    }

    /** The same call to another model (the pipeline and fan-out of several models). */
    public RunRequest withModel(ModelRef other) {
        return new RunRequest(other, system, messages, options, stream, tools);
    }

    /** The same call with other messages (the next round of a tool loop). */
    public RunRequest withMessages(List<ChatMessage> other) {
        return new RunRequest(model, system, other, options, stream, tools);
    }

    /** The same call offering {@code other} tools. */
    public RunRequest withTools(List<Tool> other) {
        return new RunRequest(model, system, messages, options, stream, other);
    }
}
