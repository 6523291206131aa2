package dev.llmo.core;

import dev.llmo.failure.LlmoException;
import dev.llmo.message.Part;
import dev.llmo.message.Usage;
import java.time.Duration;
import java.util.Objects;

/**
 * What a call reports while it runs, tagged with the call it belongs to. The content events mirror the provider's
 * stream (text, reasoning, refusal, tool-call pieces, citations, usage) after the core has checked them (text is
 * well-formed UTF-16, nothing comes after a stop); {@link Retrying} and {@link Idle} say what the call is doing.
 * Whatever a listener is shown is also in the call's {@link RunResult#answer()}.
 */
public sealed interface RunEvent {

    /** The call this event belongs to. */
    CallId call();

    /** New answer text, to append to what came before. Never empty. */
    record Text(CallId call, String text) implements RunEvent {
        public Text {
            Objects.requireNonNull(call, "call");
        }
    }

    /** New reasoning ("thinking") text, shown apart from the answer. Never empty. */
    record Reasoning(CallId call, String text) implements RunEvent {
        public Reasoning {
            Objects.requireNonNull(call, "call");
        }
    }

    /** New text of a refusal: the model declines, in its own words. Never empty. */
    record Refusal(CallId call, String text) implements RunEvent {
        public Refusal {
            Objects.requireNonNull(call, "call");
        }
    }

    /**
     * A piece of a tool call the model makes: the first piece of tool call {@code index} names its {@code id} and
     * {@code name}; later pieces (id and name null) append to its arguments.
     */
    record ToolCallPiece(CallId call, int index, String id, String name, String argumentsDelta) implements RunEvent {
        public ToolCallPiece {
            Objects.requireNonNull(call, "call");
            Objects.requireNonNull(argumentsDelta, "argumentsDelta");
        }
    }

    /** The answer cites a source. */
    record Citation(CallId call, Part.Citation citation) implements RunEvent {
        public Citation {
            Objects.requireNonNull(call, "call");
            Objects.requireNonNull(citation, "citation");
        }
    }

    /** The token counts so far; a later one replaces an earlier one. */
    record UsageUpdate(CallId call, Usage usage) implements RunEvent {
        public UsageUpdate {
            Objects.requireNonNull(call, "call");
        }
    }

    /** An attempt failed and will be retried after {@code delay} ({@code retry} 1 for the first retry). */
    record Retrying(CallId call, int retry, Duration delay, LlmoException reason) implements RunEvent {
        public Retrying {
            Objects.requireNonNull(call, "call");
        }
    }

    /**
     * The call waits for the network: the moment to flush what earlier events printed. One network read often holds
     * many events, so flushing here rather than per event saves a write per token without delaying anything.
     */
    record Idle(CallId call) implements RunEvent {
        public Idle {
            Objects.requireNonNull(call, "call");
        }
    }
}
