package dev.llmo.core;

import dev.llmo.config.ModelRef;
import dev.llmo.provider.CallHandle;
import dev.llmo.provider.ChatMessage;
import dev.llmo.provider.ChatRequest;
import dev.llmo.provider.ChatResponse;
import dev.llmo.provider.ProviderClient;
import dev.llmo.provider.ProviderClients;
import dev.llmo.provider.StreamEvent;
import dev.llmo.provider.StreamListener;
import dev.llmo.provider.Usage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * Plans and runs model calls. For now: one prompt to one model. It resolves the key, merges the model's default
 * options beneath the request's, sends the call, measures latency and time to first token, prices the usage, and
 * reports text as it arrives through a {@link RunListener}. It never prints and never throws for a failed call: the
 * failure is in the {@link RunResult}.
 */
public final class Orchestrator {
    private final ProviderKeys keys;
    private final ProviderClients clients;
    private final LongSupplier nanoTime;
    private final Preflight preflight;

    public Orchestrator(ProviderKeys keys, ProviderClients clients, LongSupplier nanoTime) {
        this(keys, clients, nanoTime, Preflight.NONE);
    }

    /** @param preflight fits and prices every call before it is sent (context window, budgets) */
    public Orchestrator(ProviderKeys keys, ProviderClients clients, LongSupplier nanoTime, Preflight preflight) {
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
        long started = nanoTime.getAsLong();
        ModelRef model = request.model();
        ProviderClient client;
        Preflight.Admission admission;
        try {
            // budgets and the window first: a refused request must not cost a key lookup (or a vault unlock)
            admission = preflight.admit(model, chatRequest(request));
            client = clients.create(model.provider(), keys.keyFor(model.provider()).orElse(null));
        } catch (LlmoException e) {
            RunResult failed = new RunResult(model, "", null, null, null, elapsedMs(started), null, e);
            recorder.answered(-1, failed);
            return new RunningCall(() -> { }, CompletableFuture.completedFuture(failed));
        }
        ChatRequest chat = admission.request();
        long requestId;
        try {
            requestId = recorder.requestSent(model, chat, client.requestBody(chat));
        } catch (LlmoException e) {
            // the log could not be written (a full disk, a torn last line): nothing is sent unrecorded
            admission.release().run();
            RunResult failed = new RunResult(model, "", null, null, null, elapsedMs(started), null, e);
            return new RunningCall(() -> { }, CompletableFuture.completedFuture(failed));
        }
        CompletableFuture<RunResult> result = new CompletableFuture<>();
        Collector collector = new Collector(model, started, listener, recorder, requestId, admission, result);
        CallHandle handle = client.stream(chat, collector);
        return new RunningCall(handle, result);
    }

    /** Runs the call to its end. */
    public RunResult run(RunRequest request, RunListener listener) {
        return start(request, listener).await();
    }

    /**
     * The request as a provider sees it: the model's defaults beneath the request's options. Options are sorted by
     * name (nested maps too) so that the body can be rebuilt byte for byte from the event log, whose canonical JSON
     * sorts keys: that is what lets {@code log replay} check each request's digest.
     */
    public static ChatRequest chatRequest(RunRequest request) {
        // options may not replace what the request builder writes (model, messages...): the log must tell the truth
        dev.llmo.provider.ReservedOptions.check(request.model().provider().type(), request.model().provider().name(),
                request.model().spec(), request.options());
        Map<String, Object> options = new LinkedHashMap<>(request.model().spec().options());
        options.putAll(request.options());
        @SuppressWarnings("unchecked")
        Map<String, Object> sorted = (Map<String, Object>) sortedKeys(options);
        return new ChatRequest(request.model().modelName(), request.system(), request.messages(), sorted,
                request.model().spec().maxOutputTokens(), request.stream());
    }

    private static Object sortedKeys(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> sorted = new java.util.TreeMap<>();
            map.forEach((k, v) -> sorted.put(String.valueOf(k), sortedKeys(v)));
            return new LinkedHashMap<>(sorted);
        }
        if (value instanceof List<?> list) {
            return list.stream().map(Orchestrator::sortedKeys).toList();
        }
        return value;
    }

    private long elapsedMs(long since) {
        return (nanoTime.getAsLong() - since) / 1_000_000;
    }

    /** Turns the provider's events into the listener's and the final {@link RunResult}. */
    private final class Collector implements StreamListener {
        private final ModelRef model;
        private final long started;
        private final RunListener listener;
        private final CallRecorder recorder;
        private final long requestId;
        private final Preflight.Admission admission;
        private final CompletableFuture<RunResult> result;
        private final StringBuilder text = new StringBuilder();
        private Long ttftMs;
        private Usage usage;

        Collector(ModelRef model, long started, RunListener listener, CallRecorder recorder, long requestId,
                  Preflight.Admission admission, CompletableFuture<RunResult> result) {
            this.admission = admission;
            this.model = model;
            this.started = started;
            this.listener = listener;
            this.recorder = recorder;
            this.requestId = requestId;
            this.result = result;
        }

        @Override
        public void onEvent(StreamEvent event) {
            if (event instanceof StreamEvent.TextDelta delta) {
                if (ttftMs == null) {
                    ttftMs = elapsedMs(started);
                }
                text.append(delta.text());
                listener.onText(delta.text());
            } else if (event instanceof StreamEvent.UsageUpdate update) {
                usage = update.usage();
            } else if (event instanceof StreamEvent.Retrying retrying) {
                recorder.retried(requestId, retrying.retry(), retrying.delay(), retrying.reason());
                listener.onRetry(retrying.retry(), retrying.delay(), retrying.reason());
            }
        }

        @Override
        public void onIdle() {
            listener.onIdle();
        }

        @Override
        public void onComplete(ChatResponse response) {
            Usage final_ = response.usage() != null ? response.usage() : usage;
            finish(new RunResult(model, response.text(), response.stopReason(), final_,
                    UsageCost.usd(model.spec().pricing(), final_), elapsedMs(started), ttftMs, null));
        }

        @Override
        public void onError(LlmoException error) {
            finish(new RunResult(model, text.toString(), null, usage,
                    UsageCost.usd(model.spec().pricing(), usage), elapsedMs(started), ttftMs, error));
        }

        // Recorded before anyone waiting on the result can see it (and, on Ctrl-C, before the JVM goes).
        private void finish(RunResult done) {
            try {
                // a failed call without usage may never have reached the model: its worst case is released
                if (done.succeeded() || done.usage() != null || !done.text().isEmpty()) {
                    java.math.BigDecimal counted = admission.settle().apply(done.usage());
                    if (done.costUsd() == null && counted != null) {
                        // no usage came (a cut stream, Ctrl-C): under a budget it counts at its worst case, and
                        // so it is logged, or tomorrow's daily total would forget it
                        done = new RunResult(done.model(), done.text(), done.stopReason(), done.usage(), counted,
                                done.latencyMs(), done.ttftMs(), done.error());
                    }
                } else {
                    admission.release().run();
                }
                recorder.answered(requestId, done);
                admission.recorded().run(); // its cost is in the log now: other processes count it there
            } finally {
                result.complete(done);
            }
        }
    }
}
