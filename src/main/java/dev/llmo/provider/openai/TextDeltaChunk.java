package dev.llmo.provider.openai;

import dev.llmo.provider.http.DeltaTemplate;
import dev.llmo.provider.http.Json;
import dev.llmo.provider.http.JsonScan;

/**
 * The chunk nearly every event of a streamed answer is: one choice, index 0, whose delta holds only {@code content}
 * text (and the role), no finish reason, no usage, no error, read with {@link JsonScan} instead of a Jackson tree.
 * A tree (and before it, a Jackson parser) per token was most of what a long answer cost llmo (issue 15: 20,000
 * tokens at most 10% over start-up). {@link #read} accepts only chunks whose meaning it knows exactly, with every
 * field the tree reading looks at in its plain form: anything else (a duplicate key, reasoning, a tool call, a
 * refusal, an end, usage, sources, anything {@link JsonScan} does not read, a malformed chunk) returns null and goes
 * through {@link OpenAiDecoder}'s tree, which reads and explains everything.
 *
 * @param model   the {@code model} field as {@link Json#text} reads it: null unless a non-empty string
 * @param content the delta's text, null when it has none (a role chunk)
 */
record TextDeltaChunk(String model, String content) {
    /** What {@link #choice} and {@link #delta} return for anything but a plain text delta (compared by identity). */
    private static final String NOT_PLAIN = new String("not plain");

    /** The chunk, or null when it is anything but a plain text delta. */
    static TextDeltaChunk read(String data) {
        return read(data, null);
    }

    /**
     * As {@link #read(String)}; a chunk with text becomes the stream's {@code template} (when not null), with the
     * span of its text.
     */
    static TextDeltaChunk read(String data, DeltaTemplate template) {
        JsonScan json = new JsonScan(data);
        if (!json.startObject()) {
            return null;
        }
        String model = null;
        boolean seenModel = false;
        boolean seenObject = false;
        boolean seenChoices = false;
        String content = null;
        while (json.nextField()) {
            if (json.keyIs("choices")) {
                if (seenChoices || !json.startArray() || !json.nextElement()) {
                    return null;
                }
                seenChoices = true;
                content = choice(json);
                if (content == NOT_PLAIN || json.nextElement()) {
                    return null; // not exactly one choice
                }
            } else if (json.keyIs("model")) {
                if (seenModel) {
                    return null;
                }
                seenModel = true;
                if (json.peek() == '"') {
                    model = json.string();
                } else if (!json.skipValue()) {
                    return null;
                }
            } else if (json.keyIs("object")) {
                // "object": "error" is vLLM's old error shape; of two, the tree would keep the last
                if (seenObject || (json.peek() == '"' ? "error".equals(json.string()) : !json.skipValue())) {
                    return null;
                }
                seenObject = true;
            } else if (json.keyIs("usage") || json.keyIs("x_groq") || json.keyIs("error") || json.keyIs("citations")
                    || json.keyIs("search_results")) {
                if (!json.isNull()) {
                    return null;
                }
            } else if (!json.skipValue()) {
                return null; // id, created, system_fingerprint, obfuscation...: not read
            }
        }
        if (!json.end() || !seenChoices) {
            return null;
        }
        TextDeltaChunk chunk = new TextDeltaChunk(model == null || model.isEmpty() ? null : model, content);
        if (template != null && content != null) {
            template.remember(data, json.markedStart(), json.markedEnd(), chunk.model());
        }
        return chunk;
    }

    /** Reads one choice object: its text, null when it has none, {@link #NOT_PLAIN} when it is not plain. */
    private static String choice(JsonScan json) {
        if (!json.startObject()) {
            return NOT_PLAIN;
        }
        String content = null;
        boolean seenIndex = false;
        boolean seenDelta = false;
        boolean seenFinish = false;
        while (json.nextField()) {
            if (json.keyIs("index")) {
                if (seenIndex || !json.isZero()) {
                    return NOT_PLAIN;
                }
                seenIndex = true;
            } else if (json.keyIs("delta")) {
                if (seenDelta) {
                    return NOT_PLAIN;
                }
                seenDelta = true;
                if (json.peek() == '{') {
                    content = delta(json);
                    if (content == NOT_PLAIN) {
                        return NOT_PLAIN;
                    }
                } else if (!json.isNull()) {
                    return NOT_PLAIN;
                }
            } else if (json.keyIs("finish_reason")) {
                if (seenFinish || !json.isNull()) {
                    return NOT_PLAIN;
                }
                seenFinish = true;
            } else if (!json.skipValue()) {
                return NOT_PLAIN; // logprobs, content_filter_results (read only at the end)...
            }
        }
        return json.failed() ? NOT_PLAIN : content;
    }

    /** Reads the delta object, only {@code content} (a string or null) and {@code role}: as {@link #choice}. */
    private static String delta(JsonScan json) {
        if (!json.startObject()) {
            return NOT_PLAIN;
        }
        String content = null;
        boolean seenContent = false;
        while (json.nextField()) {
            if (json.keyIs("content")) {
                if (seenContent) {
                    return NOT_PLAIN;
                }
                seenContent = true;
                if (json.peek() == '"') {
                    content = json.string();
                    json.markString();
                } else if (!json.isNull()) {
                    return NOT_PLAIN;
                }
            } else if (json.keyIs("role")) {
                if (!json.skipValue()) {
                    return NOT_PLAIN;
                }
            } else {
                return NOT_PLAIN; // reasoning, refusal, tool calls, annotations...: the tree reading knows them
            }
        }
        return json.failed() ? NOT_PLAIN : content;
    }
}
