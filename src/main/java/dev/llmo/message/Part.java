package dev.llmo.message;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One typed piece of a message, in the order the model produced it. Nothing a model says is dropped on the way in,
 * so every kind a provider can send has a part here (design.md "Messages and parts").
 */
public sealed interface Part {

    /** Answer text. */
    record Text(String text) implements Part {
        public Text {
            Objects.requireNonNull(text, "text");
        }
    }

    /**
     * The model's reasoning ("thinking"), shown apart from the answer and never sent as answer text.
     *
     * @param text      the reasoning as the provider showed it; empty when it sent only an opaque form
     * @param signature the provider's opaque token (Anthropic's {@code signature}, Gemini's {@code thoughtSignature},
     *                  an Anthropic {@code redacted_thinking} block's {@code data}), or null; kept because some
     *                  providers require it back, unchanged, in the next request
     * @param redacted  true when the provider hid the reasoning and sent only {@code signature}
     */
    record Reasoning(String text, String signature, boolean redacted) implements Part {
        public Reasoning {
            Objects.requireNonNull(text, "text");
        }

        public static Reasoning of(String text) {
            return new Reasoning(text, null, false);
        }
    }

    /** The model declined to answer, in its own words (OpenAI {@code refusal}; a refusal stop with its details). */
    record Refusal(String text) implements Part {
        public Refusal {
            Objects.requireNonNull(text, "text");
        }
    }

    /**
     * The model asks for a tool to be run.
     *
     * @param id        the provider's call id, which the result must name; generated where a provider gives none
     * @param name      the tool's name
     * @param arguments the arguments as the JSON text the model wrote (kept as text: it may not even be valid JSON,
     *                  and what the model said is kept as said)
     */
    record ToolCall(String id, String name, String arguments) implements Part {
        public ToolCall {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(arguments, "arguments");
        }
    }

    /** What a tool returned for the call {@code callId}; {@code isError} when it failed or was denied. */
    record ToolResult(String callId, String content, boolean isError) implements Part {
        public ToolResult {
            Objects.requireNonNull(callId, "callId");
            Objects.requireNonNull(content, "content");
        }
    }

    /**
     * Content stored once by hash in the content store (the bytes are not held here).
     *
     * @param mediaType the detected type, e.g. {@code image/png}
     * @param sha256    the content's SHA-256, 64 lower-case hex digits
     * @param name      the file name or URL it came from, or null
     */
    record Attachment(String mediaType, String sha256, String name) implements Part {
        private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

        public Attachment {
            Objects.requireNonNull(mediaType, "mediaType");
            if (sha256 == null || !SHA256.matcher(sha256).matches()) {
                throw new IllegalArgumentException("an attachment is named by 64 lower-case hex digits of SHA-256");
            }
        }
    }

    /**
     * A source the answer cites.
     *
     * @param url       where it is
     * @param title     its title, or null
     * @param citedText the passage cited, or null
     */
    record Citation(String url, String title, String citedText) implements Part {
        public Citation {
            Objects.requireNonNull(url, "url");
        }
    }
}
