package dev.llmo.provider.openai;

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
    /** The chunk, or null when it is anything but a plain text delta. */
    static TextDeltaChunk read(String data) {
        JsonScan json = new JsonScan(data);
        if (!json.startObject()) {
            return null;
        }
        String model = null;
        boolean seenModel = false;
        boolean seenObject = false;
        String[] content = null; // [text]: the choice was read
        while (json.nextField()) {
            if (json.keyIs("choices")) {
                if (content != null || !json.startArray() || !json.nextElement()) {
                    return null;
                }
                content = new String[1];
                if (!choice(json, content) || json.nextElement()) {
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
        if (!json.end() || content == null) {
            return null;
        }
        return new TextDeltaChunk(model == null || model.isEmpty() ? null : model, content[0]);
    }

    /** Reads one choice object; its text goes to {@code content[0]}. Whether it is plain. */
    private static boolean choice(JsonScan json, String[] content) {
        if (!json.startObject()) {
            return false;
        }
        boolean seenIndex = false;
        boolean seenDelta = false;
        boolean seenFinish = false;
        while (json.nextField()) {
            if (json.keyIs("index")) {
                if (seenIndex || !json.isZero()) {
                    return false;
                }
                seenIndex = true;
            } else if (json.keyIs("delta")) {
                if (seenDelta) {
                    return false;
                }
                seenDelta = true;
                if (json.peek() == '{') {
                    if (!delta(json, content)) {
                        return false;
                    }
                } else if (!json.isNull()) {
                    return false;
                }
            } else if (json.keyIs("finish_reason")) {
                if (seenFinish || !json.isNull()) {
                    return false;
                }
                seenFinish = true;
            } else if (!json.skipValue()) {
                return false; // logprobs, content_filter_results (read only at the end)...
            }
        }
        return !json.failed();
    }

    /** Reads the delta object: only {@code content} (a string or null) and {@code role}. */
    private static boolean delta(JsonScan json, String[] content) {
        if (!json.startObject()) {
            return false;
        }
        boolean seenContent = false;
        while (json.nextField()) {
            if (json.keyIs("content")) {
                if (seenContent) {
                    return false;
                }
                seenContent = true;
                if (json.peek() == '"') {
                    content[0] = json.string();
                } else if (!json.isNull()) {
                    return false;
                }
            } else if (json.keyIs("role")) {
                if (!json.skipValue()) {
                    return false;
                }
            } else {
                return false; // reasoning, refusal, tool calls, annotations...: the tree reading knows them
            }
        }
        return !json.failed();
    }
}
