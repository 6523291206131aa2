package dev.llmo.engine;

import dev.llmo.MockServers;
import dev.llmo.OpenAiAnswers;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmo.config.ModelRef;
import dev.llmo.config.ModelSpec;
import dev.llmo.config.Origin;
import dev.llmo.config.ProviderConfig;
import dev.llmo.config.ProviderType;
import dev.llmo.core.CallExecutor;
import dev.llmo.core.Conversation;
import dev.llmo.core.KeyResolver;
import dev.llmo.core.MultiRunException;
import dev.llmo.core.ProviderClients;
import dev.llmo.core.ProviderKeys;
import dev.llmo.core.RunEvent;
import dev.llmo.core.RunListener;
import dev.llmo.core.RunRequest;
import dev.llmo.core.RunResult;
import dev.llmo.eventlog.ChainVerifier;
import dev.llmo.eventlog.Event;
import dev.llmo.eventlog.EventLog;
import dev.llmo.failure.CallError;
import dev.llmo.failure.CredentialsException;
import dev.llmo.failure.ExitCode;
import dev.llmo.failure.InterruptedRunException;
import dev.llmo.failure.ModelCallException;
import dev.llmo.provider.http.HttpSettings;
import dev.llmo.provider.http.Transport;
import java.time.Duration;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine ({@link Orchestrator}) against a mock server whose dispatcher proves what happened at once: latches that open only when
 * N requests are in flight together, counters of the most requests ever in flight. No timing asserts: the bench
 * measures time; these check concurrency, order, data flow, limits, failures and cancellation.
 */
class OrchestratorTest {
    /** How long a dispatcher waits for the others before it gives up (a failure, never a pass). */
    private static final long WAIT_S = 10;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private MockWebServer server;
    /** Opened at the end of every test so that a held request never outlives it. */
    private final CountDownLatch release = new CountDownLatch(1);
    private final List<JsonNode> bodies = Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void start() throws Exception {
        server = MockServers.create();
        server.start();
    }

    @AfterEach
    void stop() throws Exception {
        release.countDown();
        server.shutdown();
    }

    private ProviderConfig provider(String name, Integer maxConcurrency) {
        return new ProviderConfig(name, ProviderType.OPENAI, server.url("/" + name + "/v1").toString(), null, null,
                null, List.of(), maxConcurrency, Origin.of("test", "test"));
    }

    private static ModelRef model(ProviderConfig provider, String name) {
        return new ModelRef(provider, ModelSpec.unlisted(name, Origin.of("test", "test")));
    }

    private List<ModelRef> models(ProviderConfig provider, String... names) {
        return List.of(names).stream().map(n -> model(provider, n)).toList();
    }

    private CallExecutor executor() {
        return new CallExecutor(new ProviderKeys(KeyResolver.environment(Map.of())),
                // no retries; timeouts far longer than any latch of these tests waits
                new ProviderClients(Transport.shared(new HttpSettings(Duration.ofSeconds(5), Duration.ofSeconds(60), 0))),
                System::nanoTime);
    }

    private static RunRequest request(ModelRef first, String prompt) {
        return RunRequest.of(first, "Be brief.", prompt, Map.of(), true);
    }

    /** An SSE answer with this text. */
    static MockResponse answer(String text) {
        return OpenAiAnswers.streamed(text);
    }

    private void dispatch(Function<JsonNode, MockResponse> answer) {
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                try {
                    JsonNode body = JSON.readTree(request.getBody().readUtf8());
                    bodies.add(body);
                    return answer.apply(body);
                } catch (Exception e) {
                    return new MockResponse().setResponseCode(500).setBody("{\"error\":{\"message\":\"" + e + "\"}}");
                }
            }
        });
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(WAIT_S, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the other requests never came");
            }
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What a listener heard, in the order it heard it. */
    private static class Heard implements RunListener {
        final List<String> events = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void onEvent(RunEvent event) {
            if (event instanceof RunEvent.CallStarted started) {
                events.add("started " + started.call().index());
            } else if (event instanceof RunEvent.CallEnded ended) {
                events.add("finished " + ended.call().index());
                ended(ended.call().index());
            }
        }

        void ended(int index) {
        }
    }

    /** Runs {@code plan} to its end, not recorded, with at most {@code concurrency} calls at once. */
    private List<RunResult> run(Plan plan, Integer concurrency, RunListener listener) {
        return new Orchestrator(executor(), concurrency).run(plan, listener, Recording.NONE, new Cancellation());
    }

    @Test
    void fanOutSendsEveryModelAtOnceAndReturnsThePlanOrder() {
        ProviderConfig mock = provider("mock", null);
        List<ModelRef> plan = models(mock, "m1", "m2", "m3", "m4");
        CountDownLatch allInFlight = new CountDownLatch(4);
        AtomicInteger answered = new AtomicInteger();
        CountDownLatch[] turn = {new CountDownLatch(1), new CountDownLatch(1), new CountDownLatch(1),
                new CountDownLatch(1)};
        dispatch(body -> {
            // every request waits until all four are in flight: a serial run would time out here
            allInFlight.countDown();
            await(allInFlight);
            // then they answer last model first, so that the end order is the reverse of the plan
            int index = Integer.parseInt(body.get("model").asText().substring(1)) - 1;
            if (index < 3) {
                await(turn[index + 1]);
            }
            answered.incrementAndGet();
            return answer("answer of " + body.get("model").asText());
        });
        // the CallEnded events happen after the server answered, so open the next turn from there
        Heard heard = new Heard() {
            @Override
            void ended(int index) {
                turn[index].countDown();
            }
        };

        List<RunResult> results = run(new Plan.FanOut(request(plan.get(0), "hi"), plan), null, heard);

        assertThat(results).extracting(RunResult::text).containsExactly("answer of m1", "answer of m2",
                "answer of m3", "answer of m4");
        assertThat(results).allMatch(RunResult::succeeded);
        assertThat(heard.events.subList(4, 8)).containsExactly("finished 3", "finished 2", "finished 1",
                "finished 0");
        assertThat(bodies).extracting(b -> b.at("/messages/1/content").asText()).containsOnly("hi");
    }

    @Test
    void concurrencyBoundsTheCallsInFlightAndTheyStillOverlap() {
        ProviderConfig mock = provider("mock", null);
        List<ModelRef> plan = models(mock, "a", "b", "c", "d", "e");
        InFlight inFlight = new InFlight(2, plan.size());
        dispatch(body -> inFlight.hold(() -> answer("ok")));

        List<RunResult> results = run(new Plan.FanOut(request(plan.get(0), "hi"), plan), 2, new Heard());

        assertThat(results).allMatch(RunResult::succeeded);
        assertThat(inFlight.max.get()).as("never more than --concurrency, and that many together").isEqualTo(2);
        assertThat(bodies).hasSize(5);
    }

    @Test
    void aProvidersMaxConcurrencyHoldsItsCallsButNotTheOtherProviders() {
        ProviderConfig slow = provider("slow", 1);
        ProviderConfig fast = provider("fast", null);
        List<ModelRef> plan = List.of(model(slow, "s1"), model(slow, "s2"), model(fast, "f1"), model(slow, "s3"),
                model(fast, "f2"));
        InFlight slowInFlight = new InFlight(1, 3);
        CountDownLatch bothFast = new CountDownLatch(2);
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                if (request.getPath().startsWith("/fast/")) {
                    // both calls to the other provider are in flight while the limited one still has calls waiting
                    bothFast.countDown();
                    await(bothFast);
                    assertThat(slowInFlight.arrived.get()).as("slow calls sent before both fast ones ran").isLessThan(3);
                    return answer("fast");
                }
                // the limited provider answers only once the other's calls have both been sent
                return slowInFlight.hold(() -> {
                    await(bothFast);
                    return answer("slow");
                });
            }
        });

        List<RunResult> results = run(new Plan.FanOut(request(plan.get(0), "hi"), plan), null, new Heard());

        assertThat(results).extracting(RunResult::text).containsExactly("slow", "slow", "fast", "slow", "fast");
        assertThat(slowInFlight.max.get()).isEqualTo(1);
    }

    /** Counts requests in flight; each waits until {@code together} are in flight (or all have arrived). */
    private static final class InFlight {
        final AtomicInteger now = new AtomicInteger();
        final AtomicInteger max = new AtomicInteger();
        final AtomicInteger arrived = new AtomicInteger();
        private final int together;
        private final int total;
        private final long patienceNanos;

        InFlight(int together, int total) {
            this(together, total, TimeUnit.SECONDS.toNanos(WAIT_S));
        }

        /** Each call waits at most {@code patienceNanos} for the others. */
        InFlight(int together, int total, long patienceNanos) {
            this.together = together;
            this.total = total;
            this.patienceNanos = patienceNanos;
        }

        MockResponse hold(java.util.function.Supplier<MockResponse> answer) {
            int current = now.incrementAndGet();
            max.accumulateAndGet(current, Math::max);
            arrived.incrementAndGet();
            long deadline = System.nanoTime() + patienceNanos;
            synchronized (this) {
                notifyAll();
                while (now.get() < together && arrived.get() < total && System.nanoTime() < deadline) {
                    try {
                        wait(50);
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
            try {
                return answer.get();
            } finally {
                // before the answer reaches the client, so the client's next call can only come after this
                now.decrementAndGet();
            }
        }
    }

    @Test
    void pipelineSendsEachAnswerToTheNextModel() {
        ProviderConfig mock = provider("mock", null);
        List<ModelRef> plan = models(mock, "writer", "critic", "editor");
        dispatch(body -> answer(body.get("model").asText() + "(" + last(body) + ")"));

        List<RunResult> results = run(new Plan.Pipeline(request(plan.get(0), "a poem"), plan), null, new Heard());

        assertThat(results).extracting(RunResult::text).containsExactly("writer(a poem)", "critic(writer(a poem))",
                "editor(critic(writer(a poem)))");
        assertThat(bodies.get(1).get("messages").toString()).isEqualTo("[{\"role\":\"system\",\"content\":"
                + "\"Be brief.\"},{\"role\":\"user\",\"content\":\"writer(a poem)\"}]");
        assertThat(bodies).extracting(b -> b.get("model").asText()).containsExactly("writer", "critic", "editor");
    }

    private static String last(JsonNode body) {
        JsonNode messages = body.get("messages");
        return messages.get(messages.size() - 1).get("content").asText();
    }

    @Test
    void pipelineStopsAtTheFirstFailedStep() {
        ProviderConfig mock = provider("mock", null);
        List<ModelRef> plan = models(mock, "one", "two", "three");
        dispatch(body -> body.get("model").asText().equals("two")
                ? new MockResponse().setResponseCode(400).setBody("{\"error\":{\"message\":\"bad request\"}}")
                : answer("fine"));

        List<RunResult> results = run(new Plan.Pipeline(request(plan.get(0), "x"), plan), null, new Heard());

        assertThat(results).hasSize(2);
        assertThat(results.get(0).succeeded()).isTrue();
        assertThat(results.get(1).error()).isInstanceOf(ModelCallException.class);
        assertThat(bodies).hasSize(2);
    }

    @Test
    void partialFailureLeavesTheOthersAnswering() {
        ProviderConfig mock = provider("mock", null);
        List<ModelRef> plan = models(mock, "ok1", "bad", "ok2");
        dispatch(body -> body.get("model").asText().equals("bad")
                ? new MockResponse().setResponseCode(429).setBody("{\"error\":{\"message\":\"slow down\"}}")
                : answer("fine"));

        List<RunResult> results = run(new Plan.FanOut(request(plan.get(0), "x"), plan), null, new Heard());

        assertThat(results).extracting(RunResult::succeeded).containsExactly(true, false, true);
        assertThat(((CallError) results.get(1).error()).status()).isEqualTo(429);
        MultiRunException summary = MultiRunException.parallel(results);
        assertThat(summary.exitCode()).isEqualTo(ExitCode.FAILURE);
        assertThat(summary.getMessage()).startsWith("1 of 3 models failed: mock/bad: mock answered HTTP 429");
    }

    @Test
    void aMissingKeyFailsOnlyItsModel() {
        ProviderConfig keyed = new ProviderConfig("keyed", ProviderType.OPENAI, server.url("/keyed/v1").toString(),
                "KEYED_API_KEY", null, null, List.of(), null, Origin.of("test", "test"));
        ProviderConfig mock = provider("mock", null);
        List<ModelRef> plan = List.of(model(mock, "m1"), model(keyed, "k1"));
        dispatch(body -> answer("fine"));

        List<RunResult> results = run(new Plan.FanOut(request(plan.get(0), "x"), plan), null, new Heard());

        assertThat(results.get(0).succeeded()).isTrue();
        assertThat(results.get(1).error()).isInstanceOf(CredentialsException.class);
        assertThat(MultiRunException.parallel(results).exitCode()).isEqualTo(ExitCode.CREDENTIALS);
    }

    @Test
    void cancelStopsEveryCallInFlightAndSendsNoMore() throws Exception {
        ProviderConfig mock = provider("mock", null);
        ProviderConfig limited = provider("limited", 1);
        // three calls in flight (one to the limited provider), one more waiting for the limited provider's slot
        List<ModelRef> plan = List.of(model(mock, "a"), model(mock, "b"), model(limited, "c"), model(limited, "d"));
        CountDownLatch threeInFlight = new CountDownLatch(3);
        dispatch(body -> {
            threeInFlight.countDown();
            await(release); // held until the test ends: only cancel() can end these calls
            return answer("too late");
        });
        Cancellation cancellation = new Cancellation();
        Thread canceller = new Thread(() -> {
            await(threeInFlight);
            cancellation.cancel();
        });
        canceller.start();

        List<RunResult> results = new Orchestrator(executor(), null).run(new Plan.FanOut(request(plan.get(0), "x"),
                plan), new Heard(), Recording.of(conversation()), cancellation);
        canceller.join();

        assertThat(results).hasSize(4).allSatisfy(r -> assertThat(r.error()).isInstanceOf(
                InterruptedRunException.class));
        assertThat(results.get(3).error().getMessage()).isEqualTo("interrupted: the request to limited was not sent");
        assertThat(cancellation.cancelled()).isTrue();
        assertThat(bodies).hasSize(3);
        List<Event> events = EventLog.read(conversation.file());
        assertThat(events.stream().filter(e -> e.type().equals("request"))).hasSize(3);
        assertThat(events.stream().filter(e -> e.type().equals("error"))).hasSize(4);
    }

    @Test
    void anInterruptOfTheRunningThreadCancelsTheRun() throws Exception {
        ProviderConfig mock = provider("mock", null);
        List<ModelRef> plan = models(mock, "a", "b");
        CountDownLatch twoInFlight = new CountDownLatch(2);
        dispatch(body -> {
            twoInFlight.countDown();
            await(release);
            return answer("too late");
        });
        List<List<RunResult>> results = new ArrayList<>();
        Thread runner = new Thread(() -> results.add(run(new Plan.Pipeline(request(plan.get(0), "x"), plan), null,
                new Heard())));
        runner.start();
        while (bodies.isEmpty()) {
            Thread.sleep(10);
        }
        runner.interrupt();
        runner.join(TimeUnit.SECONDS.toMillis(WAIT_S));

        assertThat(runner.isAlive()).isFalse();
        assertThat(results.get(0)).singleElement().satisfies(r -> assertThat(r.error()).isInstanceOf(
                InterruptedRunException.class));
        assertThat(bodies).as("the pipeline's second step was never sent").hasSize(1);
    }

    private Conversation conversation;

    private Conversation conversation() {
        conversation = Conversation.start(dir, "run --parallel", dev.llmo.eventlog.RunMode.PARALLEL, List.of("mock/a"), null, "test");
        return conversation;
    }

    @Test
    void everyCallOfAFanOutIsRecordedWithTheSameContextEvenWhenOneAnswersFirst() {
        ProviderConfig mock = provider("mock", null);
        List<ModelRef> plan = models(mock, "a", "b");
        dispatch(body -> answer("answer of " + body.get("model").asText()));
        Conversation log = conversation();
        log.user("question");

        // one at a time: b is sent after a's answer is in the log
        List<RunResult> results = new Orchestrator(executor(), 1).run(new Plan.FanOut(request(plan.get(0),
                "question"), plan), new Heard(), Recording.of(log), new Cancellation());
        log.end(ExitCode.OK);
        log.close();

        assertThat(results).allMatch(RunResult::succeeded);
        List<Event> events = EventLog.read(log.file());
        List<Event> requests = events.stream().filter(e -> e.type().equals("request")).toList();
        assertThat(requests).hasSize(2);
        assertThat(requests.get(1).data().get("context")).isEqualTo(requests.get(0).data().get("context"));
        assertThat(requests.get(0).data().get("context").toString()).isEqualTo("[[1,1]]");
        assertThat(events.stream().filter(e -> e.type().equals("response"))).hasSize(2);
        assertThat(ChainVerifier.verify(log.file()).ok()).isTrue();
    }

    @Test
    void aPipelineIsRecordedStepByStepWithEachStepsOwnInput() {
        ProviderConfig mock = provider("mock", null);
        List<ModelRef> plan = models(mock, "a", "b");
        dispatch(body -> answer(body.get("model").asText() + "(" + last(body) + ")"));
        Conversation log = conversation();
        log.user("q");

        new Orchestrator(executor(), null).run(new Plan.Pipeline(request(plan.get(0), "q"), plan), new Heard(),
                Recording.of(log), new Cancellation());
        log.end(ExitCode.OK);

        List<Event> events = EventLog.read(log.file());
        assertThat(events).extracting(Event::type).containsExactly("session.start", "message", "request",
                "response", "message", "request", "response", "session.end");
        assertThat(dev.llmo.eventlog.Logged.text(events.get(4))).isEqualTo("a(q)");
        assertThat(events.get(5).data().get("context").toString()).as("step 2 sent only its input").isEqualTo(
                "[[4,4]]");
        assertThat(log.messages()).extracting(m -> m.content()).containsExactly("q", "a(q)", "a(q)", "b(a(q))");
        log.close();
    }

    @Test
    void aChainStepKeepsToEachProvidersMaxConcurrency() {
        ProviderConfig limited = provider("limited", 1);
        List<ModelRef> plan = models(limited, "a", "b", "c");
        // with the limit kept no second call ever comes, so each waits out its patience: a broken limit would send
        // the next call at once, well within 300 ms
        InFlight inFlight = new InFlight(2, plan.size(), TimeUnit.MILLISECONDS.toNanos(300));
        dispatch(body -> inFlight.hold(() -> answer("ok")));

        List<RunResult> results = run(new Plan.ChainStep("draft", request(plan.get(0), "hi"), plan), null,
                new Heard());

        assertThat(results).allMatch(RunResult::succeeded);
        assertThat(inFlight.max.get()).as("max_concurrency 1 holds for a chain's parallel step too").isEqualTo(1);
    }

    @Test
    void aChainStepsEventsNameTheStep() {
        ProviderConfig mock = provider("mock", null);
        List<ModelRef> plan = models(mock, "a", "b");
        dispatch(body -> answer("ok"));
        List<String> steps = Collections.synchronizedList(new ArrayList<>());

        run(new Plan.ChainStep("draft", request(plan.get(0), "hi"), plan), null, event -> {
            if (event instanceof RunEvent.OfCall call) {
                steps.add(call.call().step() + " " + call.call().index());
            }
        });

        assertThat(steps).contains("draft 0", "draft 1").allMatch(s -> s.startsWith("draft "));
    }

    @Test
    void oneCancellationSpansThePlansOfARunAndNothingIsSentAfterIt() {
        ProviderConfig mock = provider("mock", null);
        List<ModelRef> plan = models(mock, "a", "b");
        dispatch(body -> answer("ok"));
        Orchestrator engine = new Orchestrator(executor(), null);
        Cancellation cancellation = new Cancellation();
        Heard heard = new Heard();

        List<RunResult> first = engine.run(new Plan.ChainStep("one", request(plan.get(0), "hi"), plan), heard,
                Recording.NONE, cancellation);
        cancellation.cancel(InterruptedRunException.of(ExitCode.TERMINATED, "stopped"));
        List<RunResult> second = engine.run(new Plan.ChainStep("two", request(plan.get(0), "hi"), plan), heard,
                Recording.NONE, cancellation);

        assertThat(first).allMatch(RunResult::succeeded);
        assertThat(second).hasSize(2).allSatisfy(r -> assertThat(r.error().exitCode()).isEqualTo(
                ExitCode.TERMINATED));
        assertThat(bodies).hasSize(2);
        assertThat(heard.events).containsSubsequence("finished 0", "finished 1");
    }

    @Test
    void aListenerThatCannotShowAnEndStopsTheRestOfTheRunWithItsReason() {
        ProviderConfig mock = provider("mock", null);
        List<ModelRef> plan = models(mock, "a", "b", "c");
        dispatch(body -> answer("ok"));
        Cancellation cancellation = new Cancellation();
        dev.llmo.failure.FailureException closed = new dev.llmo.failure.FailureException("stdout is closed", null);

        // one at a time: the first end fails to show, so the later calls are never sent
        List<RunResult> results = new Orchestrator(executor(), 1).run(new Plan.FanOut(request(plan.get(0), "hi"),
                plan), event -> {
                    if (event instanceof RunEvent.CallEnded) {
                        throw closed;
                    }
                }, Recording.NONE, cancellation);

        assertThat(cancellation.reason()).isSameAs(closed);
        assertThat(results.get(0).succeeded()).isTrue();
        assertThat(results.subList(1, 3)).allSatisfy(r -> assertThat(r.error()).isSameAs(closed));
        assertThat(bodies).hasSize(1);
    }
}
