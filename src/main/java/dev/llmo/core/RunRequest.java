package dev.llmo.core;

import dev.llmo.provider.ChatMessage;
import dev.llmo.tool.Tool;
import dev.llmo.config.ModelRef;
import dev.llmo.schema.AnswerSchema;
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
 * @param schema  the JSON Schema the answer must follow ({@code --schema}, a chain step's {@code schema:}), or null
 * @param schemaRetries how many times an answer that breaks the schema is asked for again ({@code --schema-retries})
 */
public record RunRequest(ModelRef model, String system, List<ChatMessage> messages, Map<String, Object> options,
                         boolean stream, List<Tool> tools, AnswerSchema schema, int schemaRetries) {
    public RunRequest {
        if (schemaRetries < 0) {
            throw new IllegalArgumentException("schemaRetries must not be negative");
        }
        Objects.requireNonNull(model, "model");
        messages = List.copyOf(messages);
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("a run needs at least one message");
        }
        options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
        tools = List.copyOf(tools);
    }

    /** A call without a schema. */
    public RunRequest(ModelRef model, String system, List<ChatMessage> messages, Map<String, Object> options,
                      boolean stream, List<Tool> tools) {
        this(model, system, messages, options, stream, tools, null, 0);
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
        return new RunRequest(other, system, messages, options, stream, tools, schema, schemaRetries);
    }

    /** The same call with other messages (the next round of a tool loop). */
    public RunRequest withMessages(List<ChatMessage> other) {
        return new RunRequest(model, system, other, options, stream, tools, schema, schemaRetries);
    }

    /** The same call asking for an answer that follows {@code other} (null: free text), asked again up to
     * {@code retries} times when it does not. */
    public RunRequest withSchema(AnswerSchema other, int retries) {
        return new RunRequest(model, system, messages, options, stream, tools, other, retries);
    }

    /** The same call offering {@code other} tools. */
    public RunRequest withTools(List<Tool> other) {
        return new RunRequest(model, system, messages, options, stream, other, schema, schemaRetries);
    }
}
