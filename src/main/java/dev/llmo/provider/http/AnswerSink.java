package dev.llmo.provider.http;

import dev.llmo.message.Message;
import dev.llmo.message.Part;
import dev.llmo.message.Role;
import dev.llmo.message.Usage;
import dev.llmo.provider.ChatResponse;
import dev.llmo.provider.StopReason;
import dev.llmo.provider.StreamEvent;
import java.util.List;

/**
 * What one attempt has read of an answer so far, streamed or whole; {@link #finish} makes it the answer. A chat call
 * uses one per attempt; a batch result line (a whole answer read later) uses one per line.
 */
final class AnswerSink implements StreamSink {
    private final ResponseLimits limits;
    private final HttpErrorMapper errors;
    private final AnswerParts answer;
    private final java.util.function.Consumer<StreamEvent> events;
    AnswerSink(ResponseLimits limits, HttpErrorMapper errors, java.util.function.Consumer<StreamEvent> events) {
        this.limits = limits;
        this.errors = errors;
        this.events = events;
        this.answer = new AnswerParts(limits.maxAnswerBytes(), events);
    }

    /**
     * The answer, once the decoder has read all there was: a refusal, a block or an answer of the wrong shape
     * ({@link ResponseDecoder#onEnd}) is a failure, not empty success; so is an answer that never ended.
     *
     * @throws AttemptFailedException how the attempt failed
     */
    ChatResponse finish(ResponseDecoder decoder) {
        if (failure == null && (done || stop != null)) {
            finishParts();
            try {
                decoder.onEnd(this);
            } catch (AttemptFailedException e) {
                throw e;
            } catch (RuntimeException e) {
                fail(errors.malformed("an answer llmo cannot read", null));
            }
        }
        if (failure != null) {
            throw new AttemptFailedException(failure);
        }
        if (!done && stop == null) {
            throw new AttemptFailedException(errors.incomplete());
        }
        Message message = new Message(Role.ASSISTANT, parts);
        if (ChatCall.reasoningExhausted(message, stop, usage)) {
            // the reasoning was reported as it came and stays the user's; an empty answer is not a success
            throw new AttemptFailedException(errors.reasoningExhausted(usage));
        }
        return new ChatResponse(model, message, stop == null ? StopReason.OTHER : stop, usage);
    }

    /**
     * What arrived of an answer that {@link #finish} refused (a refusal, a block, a wrong shape, an answer past the
     * limit): its parts so far, its stop reason and usage, so that a failed batch row keeps what the model said and
     * what it cost; null when nothing arrived.
     */
    ChatResponse arrived() {
        List<Part> got = parts.isEmpty() ? answer.parts() : parts;
        if (got.isEmpty() && usage == null && stop == null) {
            return null;
        }
        return new ChatResponse(model, new Message(Role.ASSISTANT, got), stop == null ? StopReason.OTHER : stop,
                usage);
    }

    List<Part> parts = List.of();
    Usage usage;
    StopReason stop;
    String model;
    AttemptFailure failure;
    boolean done;

    boolean ended() {
        return done || failure != null;
    }

    /** Whether any of the answer reached the listener: then the attempt is not repeated. */
    boolean delivered() {
        return answer.delivered();
    }

    /** Reports the text taken but not yet reported: after each network read, and before anything else is reported. */
    void flush() {
        answer.flush();
    }

    /** The end of a complete answer: its parts, assembled. */
    void finishParts() {
        parts = answer.parts();
    }

    /** Passes a piece of the answer on, unless the attempt ended; ends it when the answer grows past the limit. */
    private void take(java.util.function.Consumer<AnswerParts> piece) {
        if (ended()) {
            return;
        }
        piece.accept(answer);
        if (answer.overLimit()) {
            // what came so far stays with the listener (printed and logged); the call ends here
            fail(errors.answerTooLong(limits.maxAnswerBytes()));
        }
    }

    @Override
    public PartSink choice(int index) {
        return index == 0 ? this : IGNORED;
    }

    @Override
    public void text(String delta) {
        // nearly every piece of a long answer: without take's lambda, one allocation fewer per token
        if (ended()) {
            return;
        }
        answer.text(delta);
        if (answer.overLimit()) {
            fail(errors.answerTooLong(limits.maxAnswerBytes()));
        }
    }

    @Override
    public void texts(String texts, int[] ends) {
        if (ended()) {
            return;
        }
        if (!answer.textRun(texts, ends.length)) {
            StreamSink.super.texts(texts, ends);
        }
    }

    @Override
    public void reasoning(String delta) {
        take(parts -> parts.reasoning(delta));
    }

    @Override
    public void reasoningSignature(String signature) {
        take(parts -> parts.reasoningSignature(signature));
    }

    @Override
    public void redactedReasoning(String data) {
        take(parts -> parts.redactedReasoning(data));
    }

    @Override
    public void refusal(String delta) {
        take(parts -> parts.refusal(delta));
    }

    @Override
    public void toolCall(int index, String id, String name, String argumentsDelta) {
        take(parts -> parts.toolCall(index, id, name, argumentsDelta));
    }

    @Override
    public void citation(Part.Citation citation) {
        take(parts -> parts.citation(citation));
    }

    @Override
    public void endBlock() {
        answer.endBlock();
    }

    @Override
    public void usage(Usage update) {
        if (update == null) {
            return;
        }
        usage = update;
        answer.flush();
        events.accept(new StreamEvent.UsageUpdate(update));
    }

    @Override
    public void stop(StopReason reason) {
        stop = reason;
    }

    @Override
    public void model(String name) {
        if (name != null && !name.isEmpty()) {
            model = name;
        }
    }

    @Override
    public void fail(AttemptFailure attemptFailure) {
        if (failure == null) {
            failure = attemptFailure;
        }
    }

    @Override
    public void done() {
        done = true;
    }

    /** Where the content of choices other than 0 goes: llmo asks for one answer, and another is not spliced in. */
    private static final PartSink IGNORED = new PartSink() {
        @Override
        public void text(String text) {
        }

        @Override
        public void reasoning(String text) {
        }

        @Override
        public void reasoningSignature(String signature) {
        }

        @Override
        public void redactedReasoning(String data) {
        }

        @Override
        public void refusal(String text) {
        }

        @Override
        public void toolCall(int index, String id, String name, String argumentsDelta) {
        }

        @Override
        public void citation(Part.Citation citation) {
        }

        @Override
        public void endBlock() {
        }
    };
}
