package dev.llmo.provider;

import dev.llmo.failure.LlmoException;
import dev.llmo.message.Part;
import dev.llmo.message.Usage;
import java.time.Duration;
import java.util.Objects;

/**
 * What a call reports while it runs, before its one {@code onComplete} or {@code onError}. Only the answer (choice
 * 0) is reported; the complete answer in {@link ChatResponse#message()} holds the same content assembled into parts.
 */
public sealed interface StreamEvent {

    /**
     * New answer text, to append to what came before. Never empty. {@code pieces}: how many pieces the provider sent
     * it in (one event may carry all the text of one network read), a token count for a view that estimates one.
     * {@code ascii}: all its chars are below U+0080, so that its UTF-8 bytes are its chars (a printer may copy them).
     */
    record TextDelta(String text, int pieces, boolean ascii) implements StreamEvent {
        public TextDelta(String text) {
            this(text, 1);
        }

        public TextDelta(String text, int pieces) {
            this(text, pieces, isAscii(text));
        }

        /** Whether every char of {@code text} is below U+0080. */
        public static boolean isAscii(String text) {
            for (int i = 0; i < text.length(); i++) {
                if (text.charAt(i) >= 0x80) {
                    return false;
                }
            }
            return true;
        }
    }

    /** New reasoning text ("thinking"), shown apart from the answer. Never empty. */
    record ReasoningDelta(String text) implements StreamEvent {
    }

    /** New text of a refusal: the model declines, in its own words. Never empty. */
    record RefusalDelta(String text) implements StreamEvent {
    }

    /**
     * A piece of a tool call. The first piece of call {@code index} carries its {@code id} and {@code name}; later
     * pieces append to its arguments.
     *
     * @param index          the call's position among the tool calls of this answer, from 0
     * @param id             the provider's call id, or null on a later piece
     * @param name           the tool's name, or null on a later piece
     * @param argumentsDelta JSON text to append to the call's arguments (may be empty)
     */
    record ToolCallDelta(int index, String id, String name, String argumentsDelta) implements StreamEvent {
        public ToolCallDelta {
            Objects.requireNonNull(argumentsDelta, "argumentsDelta");
        }
    }

    /** The answer cites a source. */
    record CitationAdded(Part.Citation citation) implements StreamEvent {
    }

    /** The token counts so far; a later one replaces an earlier one. */
    record UsageUpdate(Usage usage) implements StreamEvent {
    }

    /**
     * An attempt failed in a way worth retrying: the call waits {@code delay}, then tries again.
     *
     * @param retry  1 for the first retry
     * @param reason the failure of the attempt that is retried
     */
    record Retrying(int retry, Duration delay, LlmoException reason) implements StreamEvent {
    }
}
