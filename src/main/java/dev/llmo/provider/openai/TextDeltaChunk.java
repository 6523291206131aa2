package dev.llmo.provider.openai;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.llmo.provider.http.Json;
import java.io.IOException;

/**
 * The chunk nearly every event of a streamed answer is: one choice, index 0, whose delta holds only {@code content}
 * text (and the role), no finish reason, no usage, no error, read with Jackson's streaming parser instead of a tree.
 * A tree per token is most of what a long answer costs llmo (issue 15: 20,000 tokens at most 10% over start-up).
 * {@link #read} accepts only chunks whose meaning it knows exactly, with every field the tree reading looks at in
 * its plain form: anything else (a duplicate key, reasoning, a tool call, a refusal, an end, usage, sources, a
 * malformed chunk) returns null and goes through {@link OpenAiDecoder}'s tree, which reads and explains everything.
 *
 * @param model   the {@code model} field as {@link Json#text} reads it: null unless a non-empty string
 * @param content the delta's text, null when it has none (a role chunk)
 */
record TextDeltaChunk(String model, String content) {
    private static final JsonFactory JSON = Json.MAPPER.getFactory();

    /** The chunk, or null when it is anything but a plain text delta. */
    static TextDeltaChunk read(String data) {
        try (JsonParser p = JSON.createParser(data)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            String model = null;
            boolean seenModel = false;
            String[] content = null; // [text]: the choice was read
            String name;
            while ((name = p.nextFieldName()) != null) {
                JsonToken value = p.nextToken();
                switch (name) {
                    case "choices" -> {
                        if (content != null || value != JsonToken.START_ARRAY
                                || p.nextToken() != JsonToken.START_OBJECT) {
                            return null;
                        }
                        content = new String[1];
                        if (!choice(p, content) || p.nextToken() != JsonToken.END_ARRAY) {
                            return null; // not exactly one choice
                        }
                    }
                    case "model" -> {
                        if (seenModel) {
                            return null;
                        }
                        seenModel = true;
                        if (value == JsonToken.VALUE_STRING) {
                            model = p.getText();
                        } else {
                            p.skipChildren();
                        }
                    }
                    case "object" -> {
                        // "object": "error" is vLLM's old error shape
                        if (value == JsonToken.VALUE_STRING && "error".equals(p.getText())) {
                            return null;
                        }
                        p.skipChildren();
                    }
                    case "usage", "x_groq", "error", "citations", "search_results" -> {
                        if (value != JsonToken.VALUE_NULL) {
                            return null;
                        }
                    }
                    default -> p.skipChildren(); // id, created, system_fingerprint, obfuscation...: not read
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT || content == null) {
                return null;
            }
            return new TextDeltaChunk(model == null || model.isEmpty() ? null : model, content[0]);
        } catch (IOException | RuntimeException e) {
            return null; // malformed: the tree reading reports it
        }
    }

    /** Reads the choice object after its START_OBJECT; its text goes to {@code content[0]}. Whether it is plain. */
    private static boolean choice(JsonParser p, String[] content) throws IOException {
        boolean seenIndex = false;
        boolean seenDelta = false;
        boolean seenFinish = false;
        String name;
        while ((name = p.nextFieldName()) != null) {
            JsonToken value = p.nextToken();
            switch (name) {
                case "index" -> {
                    if (seenIndex || value != JsonToken.VALUE_NUMBER_INT
                            || p.getNumberType() != JsonParser.NumberType.INT || p.getIntValue() != 0) {
                        return false;
                    }
                    seenIndex = true;
                }
                case "delta" -> {
                    if (seenDelta) {
                        return false;
                    }
                    seenDelta = true;
                    if (value == JsonToken.START_OBJECT) {
                        if (!delta(p, content)) {
                            return false;
                        }
                    } else if (value != JsonToken.VALUE_NULL) {
                        return false;
                    }
                }
                case "finish_reason" -> {
                    if (seenFinish || value != JsonToken.VALUE_NULL) {
                        return false;
                    }
                    seenFinish = true;
                }
                default -> p.skipChildren(); // logprobs, content_filter_results (read only at the end)...
            }
        }
        return p.currentToken() == JsonToken.END_OBJECT;
    }

    /** Reads the delta object after its START_OBJECT: only {@code content} (a string or null) and {@code role}. */
    private static boolean delta(JsonParser p, String[] content) throws IOException {
        boolean seenContent = false;
        String name;
        while ((name = p.nextFieldName()) != null) {
            JsonToken value = p.nextToken();
            if (name.equals("content")) {
                if (seenContent) {
                    return false;
                }
                seenContent = true;
                if (value == JsonToken.VALUE_STRING) {
                    content[0] = p.getText();
                } else if (value != JsonToken.VALUE_NULL) {
                    return false;
                }
            } else if (name.equals("role")) {
                p.skipChildren();
            } else {
                return false; // reasoning, refusal, tool calls, annotations...: the tree reading knows them
            }
        }
        return p.currentToken() == JsonToken.END_OBJECT;
    }
}
