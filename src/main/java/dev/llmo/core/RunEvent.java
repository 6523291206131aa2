package dev.llmo.core;

import dev.llmo.config.ModelRef;
import dev.llmo.failure.LlmoException;
import dev.llmo.message.Part;
import dev.llmo.message.Usage;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What a run reports while it goes, to its one {@link RunListener}. Most events belong to one call ({@link OfCall}):
 * its start and end, and between them content that mirrors the provider's stream (text, reasoning, refusal,
 * tool-call pieces, citations, usage) after the core has checked it (text is well-formed UTF-16, nothing comes after
 * a stop); {@link Retrying} and {@link Idle} say what the call is doing. A chain also reports its steps. Whatever a
 * listener is shown is also in the call's {@link RunResult#answer()}.
 */
public sealed interface RunEvent {

    /** An event of one call. */
    sealed interface OfCall extends RunEvent {
        /** The call this event belongs to. */
        CallId call();
    }

    /** The call was sent (it may have waited for a slot); from the thread that runs the plan. */
    record CallStarted(CallId call) implements OfCall {
        public CallStarted {
            Objects.requireNonNull(call, "call");
        }
    }

    /**
     * The call ended and was recorded; from the thread that runs the plan, in the order the calls end, after the call's
     * last content event.
     */
    record CallEnded(CallId call, RunResult result) implements OfCall {
        public CallEnded {
            Objects.requireNonNull(call, "call");
            Objects.requireNonNull(result, "result");
        }
    }

    /** A chain step starts its {@code iteration} (1, 2, ... within a repeat) on these models. */
    record StepStarted(String step, int index, int iteration, List<ModelRef> models)
            implements RunEvent {
        public StepStarted {
            Objects.requireNonNull(step, "step");
            models = java.util.List.copyOf(models);
        }
    }

    /** A chain step was skipped: its condition was false. */
    record StepSkipped(String step, int index) implements RunEvent {
        public StepSkipped {
            Objects.requireNonNull(step, "step");
        }
    }

    /**
     * New answer text, to append to what came before. Never empty. {@code pieces}: how many pieces the provider sent
     * it in; {@code ascii}: all its chars are below U+0080 (see {@link dev.llmo.provider.StreamEvent.TextDelta}).
     */
    record Text(CallId call, String text, int pieces, boolean ascii) implements OfCall {
        public Text {
            Objects.requireNonNull(call, "call");
        }

        public Text(CallId call, String text) {
            this(call, text, 1, dev.llmo.provider.StreamEvent.TextDelta.isAscii(text));
        }
    }

    /** New reasoning ("thinking") text, shown apart from the answer. Never empty. */
    record Reasoning(CallId call, String text) implements OfCall {
        public Reasoning {
            Objects.requireNonNull(call, "call");
        }
    }

    /** New text of a refusal: the model declines, in its own words. Never empty. */
    record Refusal(CallId call, String text) implements OfCall {
        public Refusal {
            Objects.requireNonNull(call, "call");
        }
    }

    /**
     * A piece of a tool call the model makes: the first piece of tool call {@code index} names its {@code id} and
     * {@code name}; later pieces (id and name null) append to its arguments.
     */
    record ToolCallPiece(CallId call, int index, String id, String name, String argumentsDelta) implements OfCall {
        public ToolCallPiece {
            Objects.requireNonNull(call, "call");
            Objects.requireNonNull(argumentsDelta, "argumentsDelta");
        }
    }

    /** The answer cites a source. */
    record Citation(CallId call, Part.Citation citation) implements OfCall {
        public Citation {
            Objects.requireNonNull(call, "call");
            Objects.requireNonNull(citation, "citation");
        }
    }

    /** The token counts so far; a later one replaces an earlier one. */
    record UsageUpdate(CallId call, Usage usage) implements OfCall {
        public UsageUpdate {
            Objects.requireNonNull(call, "call");
        }
    }

    /** An attempt failed and will be retried after {@code delay} ({@code retry} 1 for the first retry). */
    record Retrying(CallId call, int retry, Duration delay, LlmoException reason) implements OfCall {
        public Retrying {
            Objects.requireNonNull(call, "call");
        }
    }

    /**
     * The call waits for the network: the moment to flush what earlier events printed. One network read often holds
     * many events, so flushing here rather than per event saves a write per token without delaying anything.
     */
    /**
     * A tool the model called starts running, after its approval; from the call's tool-loop thread.
     *
     * @param tool the tool's full name ({@code SERVER.TOOL}); {@code request.name()} is the name the model used
     */
    record ToolRunning(CallId call, Part.ToolCall request, String tool) implements OfCall {
    }

    /** A running tool reported progress ({@code line}: {@code 3/5 fetching}). */
    record ToolProgress(CallId call, Part.ToolCall request, String tool, String line) implements OfCall {
    }

    /**
     * A tool call ended, or was refused or could not run: its result goes back to the model in the next round.
     *
     * @param decidedBy who allowed or refused it (a rule, a flag, a person), or null when no tool of that name exists
     * @param ran        whether the tool ran (false: refused, or no such tool)
     * @param durationMs how long it ran; 0 when it did not
     */
    record ToolDone(CallId call, Part.ToolCall request, String tool, Part.ToolResult result, String decidedBy,
                    boolean ran, long durationMs) implements OfCall {
    }

    record Idle(CallId call) implements OfCall {
        public Idle {
            Objects.requireNonNull(call, "call");
        }
    }
}
