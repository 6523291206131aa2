package dev.llmo.provider.http;

import dev.llmo.message.Part;
import dev.llmo.message.Usage;
import dev.llmo.provider.StopReason;
import java.util.ArrayList;
import java.util.List;

/**
 * A stream sink that writes down every call a decoder makes, in order, so that two readings of the same events (a
 * fast path and the tree) can be compared call for call. Failures are kept by their message.
 */
public final class RecordingStreamSink implements StreamSink {
    public final List<String> calls = new ArrayList<>();
    private void add(String call) {
        calls.add(call);
    }

    @Override
    public PartSink choice(int index) {
        if (index == 0) {
            return this;
        }
        return new PartSink() {
            @Override
            public void text(String text) {
                calls.add("choice " + index + ": text " + text);
            }

            @Override
            public void reasoning(String text) {
                calls.add("choice " + index + ": reasoning " + text);
            }

            @Override
            public void reasoningSignature(String signature) {
                calls.add("choice " + index + ": signature " + signature);
            }

            @Override
            public void redactedReasoning(String data) {
                calls.add("choice " + index + ": redacted " + data);
            }

            @Override
            public void refusal(String text) {
                calls.add("choice " + index + ": refusal " + text);
            }

            @Override
            public void toolCall(int callIndex, String id, String name, String argumentsDelta) {
                calls.add("choice " + index + ": tool " + callIndex + " " + id + " " + name + " " + argumentsDelta);
            }

            @Override
            public void citation(Part.Citation citation) {
                calls.add("choice " + index + ": citation " + citation);
            }

            @Override
            public void endBlock() {
                calls.add("choice " + index + ": end block");
            }
        };
    }

    @Override
    public void usage(Usage usage) {
        add("usage " + usage);
    }

    @Override
    public void stop(StopReason reason) {
        add("stop " + reason);
    }

    /**
     * Records what the answer's model becomes, as {@code AnswerSink.model} keeps it (the last name given, empty and
     * null ignored): a decoder may say it once per event or once per run of events ({@code SseEvent#templateTextTo}).
     */
    @Override
    public void model(String model) {
        if (model != null && !model.isEmpty() && !model.equals(this.model)) {
            this.model = model;
            add("model " + model);
        }
    }

    private String model;

    @Override
    public void fail(AttemptFailure failure) {
        add("fail " + failure.retryable() + " " + failure.error().getMessage());
    }

    @Override
    public void done() {
        add("done");
    }

    @Override
    public void text(String text) {
        add("text " + text);
    }

    @Override
    public void reasoning(String text) {
        add("reasoning " + text);
    }

    @Override
    public void reasoningSignature(String signature) {
        add("signature " + signature);
    }

    @Override
    public void redactedReasoning(String data) {
        add("redacted " + data);
    }

    @Override
    public void refusal(String text) {
        add("refusal " + text);
    }

    @Override
    public void toolCall(int index, String id, String name, String argumentsDelta) {
        add("tool " + index + " " + id + " " + name + " " + argumentsDelta);
    }

    @Override
    public void citation(Part.Citation citation) {
        add("citation " + citation);
    }

    @Override
    public void endBlock() {
        add("end block");
    }
}
