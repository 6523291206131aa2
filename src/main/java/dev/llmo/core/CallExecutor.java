package dev.llmo.core;

import dev.llmo.config.ModelRef;
import dev.llmo.context.ModelCaps;
import dev.llmo.cost.UsageCost;
import dev.llmo.failure.FailureException;
import dev.llmo.failure.LlmoException;
import dev.llmo.failure.Unexpected;
import dev.llmo.provider.CallHandle;
import dev.llmo.provider.ChatRequest;
import dev.llmo.provider.ChatResponse;
import dev.llmo.provider.PreparedChat;
import dev.llmo.provider.ProviderClient;
import dev.llmo.provider.StopReason;
import dev.llmo.provider.StreamEvent;
import dev.llmo.provider.StreamListener;
import dev.llmo.message.Message;
import dev.llmo.message.Part;
import dev.llmo.message.Role;
import dev.llmo.message.WellFormedText;
import dev.llmo.provider.http.AnswerParts;
import dev.llmo.provider.http.CanonicalOptions;
import dev.llmo.message.Usage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * Plans and runs model calls. For now: one prompt to one model. It resolves the key, merges the model's default
 * options beneath the request's, sends the call, measures latency and time to first token, prices the usage, and
 * reports the answer's parts as they arrive through a {@link RunListener}. It never prints and never throws for a failed call: the
 * failure is in the {@link RunResult}.
 */
public final class CallExecutor {
    private final ProviderKeys keys;
    private final ProviderClients clients;
    private final LongSupplier nanoTime;
    private final Preflight preflight;

    public CallExecutor(ProviderKeys keys, ProviderClients clients, LongSupplier nanoTime) {
        this(keys, clients, nanoTime, Preflight.NONE);
    }

    /** @param preflight fits and prices every call before it is sent (context window, budgets) */
    public CallExecutor(ProviderKeys keys, ProviderClients clients, LongSupplier nanoTime, Preflight preflight) {
        this.keys = keys;
        this.clients = clients;
        this.nanoTime = nanoTime;
        this.preflight = preflight;
    }

    /** Starts the call and returns at once; nothing is recorded. */
    public RunningCall start(RunRequest request, RunListener listener) {
        return start(request, listener, CallRecorder.NONE);
    }

    /** Starts the call and returns at once; {@code recorder} hears of the request, its retries and its end. */
    public RunningCall start(RunRequest request, RunListener listener, CallRecorder recorder) {
        return start(CallId.of(request.model()), request, listener, recorder);
    }

    /**
     * Starts the call and returns at once; {@code listener} hears its events tagged with {@code id}, {@code recorder}
     * hears of the request, its retries and its end.
     */
    public RunningCall start(CallId id, RunRequest request, RunListener listener, CallRecorder recorder) {
        long started = nanoTime.getAsLong();
        ModelRef model = request.model();
        ProviderClient client;
        Preflight.Admission admission;
        try {
            // budgets and the window first: a refused request must not cost a key lookup (or a vault unlock)
            admission = preflight.admit(model, chatRequest(request));
            client = clients.create(model.provider(), keys.keyFor(model.provider()).orElse(null));
        } catch (LlmoException e) {
            RunResult failed = RunResult.failedBeforeAnswer(model, elapsedMs(started), e);
            recorder.answered(-1, failed);
            return new RunningCall(() -> { }, CompletableFuture.completedFuture(failed));
        }
        // latency and time to first token are the model's: a vault unlock (a password typed, a key derived) or an
        // api_key_cmd before the call is not part of them
        started = nanoTime.getAsLong();
        ChatRequest chat = admission.request();
        PreparedChat prepared;
        long requestId;
        try {
            prepared = client.prepare(chat);
            // the bytes logged are the bytes sent: the body is built once
            requestId = recorder.requestSent(model, chat, prepared.body());
        } catch (RuntimeException e) {
            // the log could not be written (a full disk, a torn last line): nothing is sent unrecorded; a request
            // that could not be built fails this call alone, not the other models of the run
            admission.release().run();
            RunResult failed = RunResult.failedBeforeAnswer(model, elapsedMs(started),
                    unexpected("preparing the request", e));
            return new RunningCall(() -> { }, CompletableFuture.completedFuture(failed));
        }
        CompletableFuture<RunResult> result = new CompletableFuture<>();
        Collector collector = new Collector(id, model, started, listener, recorder, requestId, admission, result);
        CallHandle handle;
        try {
            handle = client.stream(prepared, collector);
        } catch (RuntimeException e) {
            collector.onError(unexpected("starting the call", e));
            return new RunningCall(() -> { }, result);
        }
        collector.attach(handle);
        // not a lambda: start-up path (ADR-003, "Eighteenth round")
        return new RunningCall(new java.util.function.Consumer<LlmoException>() {
            @Override
            public void accept(LlmoException reason) {
                collector.stop(reason);
            }
        }, result);
    }

    /** Runs the call to its end. */
    public RunResult run(RunRequest request, RunListener listener) {
        return start(request, listener).await();
    }

    /**
     * The request as a provider sees it: the model's defaults beneath the request's options, and the model's default
     * answer limit as {@code max_tokens} when they set none ({@link ModelCaps#defaultLimit}). Options are sorted by
     * name (nested maps too) so that the body can be rebuilt byte for byte from the event log, whose canonical JSON
     * sorts keys: that is what lets {@code log replay} check each request's digest.
     */
    public static ChatRequest chatRequest(RunRequest request) {
        // options may not replace what the request builder writes (model, messages...): the log must tell the truth
        dev.llmo.provider.http.ReservedOptions.check(request.model().provider().type(), request.model().provider().name(),
                request.model().spec(), request.options());
        Map<String, Object> options = new LinkedHashMap<>(request.model().spec().options());
        options.putAll(request.options());
        if (!ModelCaps.setsLimit(options)) {
            // the default limit is sent, so that what the budgets reserve is what the answer can cost
            Long limit = ModelCaps.defaultLimit(request.model().spec(), options);
            if (limit != null) {
                options.put(CanonicalOptions.MAX_TOKENS, limit);
            }
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> sorted = (Map<String, Object>) sortedKeys(options);
        ChatRequest chat = new ChatRequest(request.model().modelName(), request.system(), request.messages(), sorted,
                request.model().spec().maxOutputTokens(), request.stream(), ToolNames.declarations(request.tools()),
                request.schema() == null ? null : new dev.llmo.provider.ResponseSchema(request.schema().name(),
                        request.schema().requestJson(), request.schema().multi()));
        ProviderClients.checkOptions(request.model().provider(), chat);
        InputSupport.require(List.of(request.model()), chat.messages(), null);
        return chat;
    }

    private static Object sortedKeys(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> sorted = new java.util.TreeMap<>();
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                sorted.put(String.valueOf(entry.getKey()), sortedKeys(entry.getValue()));
            }
            return new LinkedHashMap<>(sorted);
        }
        if (value instanceof List<?> list) {
            List<Object> sorted = new java.util.ArrayList<>(list.size());
            for (Object item : list) {
                sorted.add(sortedKeys(item));
            }
            return java.util.Collections.unmodifiableList(sorted);
        }
        return value;
    }

    private long elapsedMs(long since) {
        return (nanoTime.getAsLong() - since) / 1_000_000;
    }

    /** An exception nobody expected, as the one-line failure of the call it happened in. */
    public static LlmoException unexpected(String where, RuntimeException e) {
        return e instanceof LlmoException l ? l
                : new FailureException("internal error while " + where + ": " + Unexpected.describe(e),
                "this is a bug in llmo; the answer so far is in the event log; rerun with --debug and report it", e);
    }

    /**
     * A token count no real call has, or a cost beyond what the log can hold: the reply is wrong, and llmo says so
     * rather than record (or bill) nonsense. The event log holds integers up to 2^53-1 (I-JSON).
     */
    static LlmoException implausible(Usage usage, java.math.BigDecimal costUsd) {
        long max = dev.llmo.eventlog.CanonicalJson.MAX_SAFE_INTEGER;
        if (usage != null && (usage.inputTokens() > max || usage.outputTokens() > max)) {
            return new FailureException("the provider reported an impossible token count (" + usage.inputTokens()
                    + " input, " + usage.outputTokens() + " output tokens)",
                    "the answer is kept in the event log, marked incomplete, without usage; report it to the provider");
        }
        if (costUsd != null && costUsd.movePointRight(6).abs().compareTo(java.math.BigDecimal.valueOf(max)) > 0) {
            return new FailureException("the reported usage (" + usage.inputTokens() + " input, "
                    + usage.outputTokens() + " output tokens) would cost more than llmo can record ($" + costUsd
                    .toPlainString() + ")", "check the pricing in models.yaml; the answer is kept in the event log");
        }
        return null;
    }

    /**
     * Turns the provider's events into the listener's and the final {@link RunResult}. It never throws into the
     * provider's thread: a listener or recorder that fails ends the call (cancelled) with that failure as its
     * error, so that the text already shown is recorded and the run cannot end as a success without its response.
     */
    private final class Collector implements StreamListener {
        private final CallId id;
        private final ModelRef model;
        private final long started;
        private final RunListener listener;
        private final CallRecorder recorder;
        private final long requestId;
        private final Preflight.Admission admission;
        private final CompletableFuture<RunResult> result;
        /** What the listener was shown: what a call that fails or is stopped keeps. */
        private final AnswerParts shown = new AnswerParts();
        // what the text shown adds up to, to compare with the provider's: chunks, so that a long answer is not held
        // in a doubling array (and its copy) beside the provider's own (16 MiB must pass in a heap of 128 MiB)
        private final dev.llmo.message.TextChunks text = new dev.llmo.message.TextChunks();
        private final WellFormedText wellFormed = new WellFormedText();
        private final WellFormedText wellFormedReasoning = new WellFormedText();
        private final WellFormedText wellFormedRefusal = new WellFormedText();
        private final Object lock = new Object();
        private volatile CallHandle handle;
        /** Why the call was stopped from here (a failed listener, a SIGTERM): the error it ends with. */
        private volatile LlmoException stopReason;
        /** The request went out to the server: from then on the provider may bill it, answer or not. */
        private volatile boolean sent;
        private volatile boolean stopRequested;
        /** Set once, under {@link #lock}; read without it by every event (a piece after the end is dropped). */
        private volatile boolean finished;
        /** Why recording the answer failed, or null. */
        private volatile LlmoException recordingFailure;
        private Long ttftMs;
        private Usage usage;
        private int replayedToolCalls;

        Collector(CallId id, ModelRef model, long started, RunListener listener, CallRecorder recorder, long requestId,
                  Preflight.Admission admission, CompletableFuture<RunResult> result) {
            this.id = id;
            this.admission = admission;
            this.model = model;
            this.started = started;
            this.listener = listener;
            this.recorder = new Guarded(recorder);
            this.requestId = requestId;
            this.result = result;
        }

        void attach(CallHandle handle) {
            this.handle = handle;
            if (stopRequested) {
                handle.cancel();
            }
        }

        /** Cancels the call; it ends with {@code reason} (null: the provider's own "cancelled" error). */
        void stop(LlmoException reason) {
            synchronized (lock) {
                if (reason != null && stopReason == null) {
                    stopReason = reason;
                }
                stopRequested = true;
            }
            CallHandle current = handle;
            if (current != null) {
                current.cancel();
            }
        }

        @Override
        public void onEvent(StreamEvent event) {
            if (finished) {
                return;
            }
            if (event instanceof StreamEvent.TextDelta delta) {
                // nearly every event of a long answer: what content, show and notify do, without their allocations
                if (stopReason == null) {
                    text(delta);
                }
                return;
            }
            if (event instanceof StreamEvent.UsageUpdate update) {
                usage = update.usage();
                tell(new RunEvent.UsageUpdate(id, update.usage()));
                return;
            }
            if (event instanceof StreamEvent.Retrying retrying) {
                notify(() -> recorder.retried(requestId, retrying.retry(), retrying.delay(), retrying.reason()));
                tell(new RunEvent.Retrying(id, retrying.retry(), retrying.delay(),
                        retrying.reason()));
                return;
            }
            if (stopReason != null) {
                return; // stopped (a closed stdout, a SIGTERM): what comes after is neither shown nor kept
            }
            RunEvent content = content(event);
            if (content != null) {
                show(content);
            }
        }

        /**
         * The provider's content event (not text: {@link #text}) as the listener sees it, or null when there is nothing
         * (yet) to show.
         */
        private RunEvent content(StreamEvent event) {
            if (event instanceof StreamEvent.ReasoningDelta delta) {
                String piece = wellFormedReasoning.next(delta.text());
                return piece.isEmpty() ? null : new RunEvent.Reasoning(id, piece);
            } else if (event instanceof StreamEvent.RefusalDelta delta) {
                String piece = wellFormedRefusal.next(delta.text());
                return piece.isEmpty() ? null : new RunEvent.Refusal(id, piece);
            } else if (event instanceof StreamEvent.ToolCallDelta delta) {
                return new RunEvent.ToolCallPiece(id, delta.index(), delta.id(), delta.name(), delta.argumentsDelta());
            } else if (event instanceof StreamEvent.CitationAdded added) {
                return new RunEvent.Citation(id, added.citation());
            }
            return null;
        }

        /** Answer text: {@link #show} of {@link RunEvent.Text} (kept, then shown), for the common case. */
        private void text(StreamEvent.TextDelta delta) {
            // ASCII (known from the client's count) is not scanned again: a long answer comes once per network read,
            // too few times for the JIT to compile the scans
            boolean ascii = delta.ascii();
            String piece = ascii ? wellFormed.nextAscii(delta.text()) : wellFormed.next(delta.text());
            if (piece.isEmpty()) {
                return;
            }
            if (ttftMs == null) {
                ttftMs = elapsedMs(started);
            }
            text.append(piece);
            if (ascii && piece == delta.text()) {
                shown.asciiText(piece);
            } else {
                shown.text(piece);
            }
            // ASCII is never repaired: the same String (a replacement for a half pair held back would precede it)
            RunEvent content = new RunEvent.Text(id, piece, delta.pieces(), delta.ascii() && piece == delta.text());
            if (stopReason != null) {
                return; // as notify: stopped because of a failed callback, nothing more is shown
            }
            try {
                listener.onEvent(content);
            } catch (RuntimeException e) {
                stop(unexpected("showing the answer", e));
            }
        }

        /** Keeps {@code content} in the answer, then shows it: what reaches the user is always recorded. */
        private void show(RunEvent content) {
            if (content instanceof RunEvent.Text piece) {
                if (ttftMs == null) {
                    ttftMs = elapsedMs(started);
                }
                text.append(piece.text());
            }
            keep(content);
            tell(content);
        }

        private void keep(RunEvent content) {
            if (content instanceof RunEvent.Text piece) {
                shown.text(piece.text());
            } else if (content instanceof RunEvent.Reasoning piece) {
                shown.reasoning(piece.text());
            } else if (content instanceof RunEvent.Refusal piece) {
                shown.refusal(piece.text());
            } else if (content instanceof RunEvent.ToolCallPiece piece) {
                shown.toolCall(piece.index(), piece.id(), piece.name(), piece.argumentsDelta());
            } else if (content instanceof RunEvent.Citation piece) {
                shown.citation(piece.citation());
            }
        }

        @Override
        public void onIdle() {
            tell(new RunEvent.Idle(id));
        }

        /** Runs a listener's (or the recorder's) callback; one that fails stops the call with its failure. */
        /** Shows {@code event}; as {@link #notify(Runnable)}, without a lambda linked at start-up (ADR-003). */
        private void tell(RunEvent event) {
            if (stopReason != null) {
                return; // stopped because of a failed callback: nothing more is shown
            }
            try {
                listener.onEvent(event);
            } catch (RuntimeException e) {
                stop(unexpected("showing the answer", e));
            }
        }

        private void notify(Runnable callback) {
            if (stopReason != null) {
                return; // stopped because of a failed callback: nothing more is shown
            }
            try {
                callback.run();
            } catch (RuntimeException e) {
                stop(unexpected("showing the answer", e));
            }
        }

        @Override
        public void onComplete(ChatResponse response) {
            try {
                Usage final_ = response.usage() != null ? response.usage() : usage;
                if (shown.isEmpty()) {
                    // a whole answer comes here at once (no stream): it is shown part by part as a stream would be
                    response.message().parts().forEach(this::replay);
                }
                flushHeldBack();
                finish(new RunResult(model, answer(response), response.stopReason(), final_,
                        UsageCost.usd(model.spec().pricing(), final_), elapsedMs(started), ttftMs, null));
            } catch (RuntimeException e) {
                onError(unexpected("reading the answer", e));
            }
        }

        /** One part of a whole answer, shown as the events a stream of it would have brought. */
        private void replay(Part part) {
            if (part instanceof Part.Text t && !t.text().isEmpty()) {
                onEvent(new StreamEvent.TextDelta(t.text()));
            } else if (part instanceof Part.Reasoning r && !r.text().isEmpty()) {
                onEvent(new StreamEvent.ReasoningDelta(r.text()));
            } else if (part instanceof Part.Refusal r && !r.text().isEmpty()) {
                onEvent(new StreamEvent.RefusalDelta(r.text()));
            } else if (part instanceof Part.ToolCall call) {
                onEvent(new StreamEvent.ToolCallDelta(replayedToolCalls++, call.id(), call.name(), call.arguments()));
            } else if (part instanceof Part.Citation citation) {
                onEvent(new StreamEvent.CitationAdded(citation));
            }
        }

        /**
         * The answer to keep: the provider's message, with every part and its signatures, when it says what the
         * user was shown; otherwise (text made well-formed, a call stopped on the way) what the user was shown.
         */
        private Message answer(ChatResponse response) {
            return stopReason == null && text.contentEquals(response.text()) ? response.message()
                    : new Message(Role.ASSISTANT, shown.parts());
        }

        @Override
        public void onSent() {
            sent = true;
        }

        @Override
        public void onError(LlmoException error) {
            flushHeldBack();
            Usage counted = usage;
            java.math.BigDecimal cost;
            try {
                cost = UsageCost.usd(model.spec().pricing(), counted);
            } catch (RuntimeException e) {
                counted = null;
                cost = null;
            }
            finish(new RunResult(model, new Message(Role.ASSISTANT, shown.parts()), StopReason.ofFailure(error),
                    counted, cost, elapsedMs(started), ttftMs, error));
        }

        /** Shows what the well-formed filters still hold (a high surrogate at the very end). */
        private void flushHeldBack() {
            if (stopReason != null) {
                return;
            }
            String reasoningTail = wellFormedReasoning.end();
            if (!reasoningTail.isEmpty()) {
                show(new RunEvent.Reasoning(id, reasoningTail));
            }
            String refusalTail = wellFormedRefusal.end();
            if (!refusalTail.isEmpty()) {
                show(new RunEvent.Refusal(id, refusalTail));
            }
            String tail = wellFormed.end();
            if (!tail.isEmpty()) {
                show(new RunEvent.Text(id, tail));
            }
        }

        // Recorded before anyone waiting on the result can see it (and, on Ctrl-C, before the JVM goes).
        private void finish(RunResult outcome) {
            synchronized (lock) {
                if (finished) {
                    return;
                }
                finished = true;
            }
            RunResult done = outcome;
            try {
                done = checked(done);
                // a failed call without usage or answer may never have reached the model: its worst case is released,
                // unless its request was sent and it then ran out of time or was stopped, with nothing back to say
                // whether the model had started (the provider may bill it): it counts as a cut stream does
                if (done.succeeded() || done.usage() != null || !done.answer().parts().isEmpty()
                        || sent && endedWithoutAnswer(done.error())) {
                    java.math.BigDecimal counted = admission.settle().apply(done.usage());
                    if (done.costUsd() == null && counted != null) {
                        // no usage came (a cut stream, Ctrl-C): under a budget it counts at its worst case, and
                        // so it is logged, or tomorrow's daily total would forget it
                        done = new RunResult(done.model(), done.answer(), done.stopReason(), done.usage(), counted,
                                done.latencyMs(), done.ttftMs(), done.error(), done.json(), done.requests());
                    }
                } else {
                    admission.release().run();
                }
                recorder.answered(requestId, done);
                admission.recorded().run(); // its cost is in the log now: other processes count it there
            } finally {
                result.complete(recordingFailure == null ? done : failed(done, recordingFailure));
            }
        }

        /**
         * The recorder, made unable to throw into the provider's thread: a recording that fails (a full disk) is
         * remembered, and the call then ends as that failure, never as a success that is not in the log.
         */
        private final class Guarded implements CallRecorder {
            private final CallRecorder recorder;

            Guarded(CallRecorder recorder) {
                this.recorder = recorder;
            }

            @Override
            public long requestSent(ModelRef model, ChatRequest request, byte[] body) {
                return recorder.requestSent(model, request, body);
            }

            @Override
            public void retried(long request, int attempt, java.time.Duration delay, LlmoException reason) {
                recorder.retried(request, attempt, delay, reason);
            }

            @Override
            public void answered(long request, RunResult done) {
                try {
                    recorder.answered(request, done);
                } catch (RuntimeException e) {
                    recordingFailure = unexpected("recording the answer", e);
                } catch (OutOfMemoryError e) {
                    // the answer's event did not fit in memory; what it took is free again, so the log at least says
                    // what failed (and the run ends with the out-of-memory error, session.end written as usual)
                    recordingFailure = new FailureException("out of memory while recording the answer, which is not "
                            + "in the log", "give the JVM more memory (JAVA_TOOL_OPTIONS=-Xmx2g)", e);
                    try {
                        recorder.answered(request, new RunResult(done.model(), new Message(Role.ASSISTANT, List.of()),
                                null, done.usage(), done.costUsd(), done.latencyMs(), done.ttftMs(), recordingFailure));
                    } catch (RuntimeException | OutOfMemoryError again) {
                        // nothing more can be recorded; the session's end still is, by whoever ends it
                    }
                }
            }
        }

        /**
         * A call that ended while waiting for its answer: its deadline or a timeout passed with no HTTP answer, or it
         * was stopped (Ctrl-C, stdout closed). Not an error answer (HTTP 4xx, 5xx), which a provider does not bill.
         */
        private boolean endedWithoutAnswer(LlmoException error) {
            return stopReason != null || error instanceof dev.llmo.failure.InterruptedRunException
                    || error instanceof dev.llmo.failure.CallError call
                    && call.kind() == dev.llmo.failure.ErrorKind.TIMEOUT && call.status() == null;
        }

        /** The outcome as it is recorded: the stop reason replaces the provider's "cancelled"; usage is sane. */
        private RunResult checked(RunResult done) {
            LlmoException reason = stopReason;
            if (reason != null) {
                // also when the answer came in full: a listener failed on the way, the user did not see all of it
                done = failed(done, reason);
            }
            LlmoException wrong = implausible(done.usage(), done.costUsd());
            if (wrong != null) {
                done = new RunResult(done.model(), done.answer(), null, null, null, done.latencyMs(), done.ttftMs(),
                        done.succeeded() ? wrong : done.error(), done.json(), done.requests());
            }
            return done;
        }

        private RunResult failed(RunResult done, LlmoException error) {
            return done.failedWith(error);
        }
    }
}
