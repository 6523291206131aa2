package dev.llmo.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmo.MockServers;
import dev.llmo.OpenAiAnswers;
import dev.llmo.config.ModelCatalog;
import dev.llmo.config.ModelRef;
import dev.llmo.config.ModelSpec;
import dev.llmo.config.Origin;
import dev.llmo.config.ProviderConfig;
import dev.llmo.config.ProviderType;
import dev.llmo.core.CallExecutor;
import dev.llmo.core.Conversation;
import dev.llmo.core.KeyResolver;
import dev.llmo.core.ProviderClients;
import dev.llmo.core.ProviderKeys;
import dev.llmo.core.Replay;
import dev.llmo.core.RunEvent;
import dev.llmo.core.RunRequest;
import dev.llmo.core.RunResult;
import dev.llmo.eventlog.ChainVerifier;
import dev.llmo.eventlog.Event;
import dev.llmo.eventlog.EventCodec;
import dev.llmo.eventlog.EventData;
import dev.llmo.eventlog.EventLog;
import dev.llmo.eventlog.RunMode;
import dev.llmo.failure.ExitCode;
import dev.llmo.message.Part;
import dev.llmo.provider.http.HttpSettings;
import dev.llmo.provider.http.Transport;
import dev.llmo.tool.Tool;
import dev.llmo.tool.ToolOutput;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tool loop through the engine: a provider (MockWebServer in the OpenAI stream format) that calls a tool, the
 * tool run through the kit's runner after its gate, the results sent back, the rounds recorded and replayable.
 */
class ToolLoopTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Tool REVERSE = new Tool("text.reverse", "Reverses a text",
            "{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\"}}}", "ab".repeat(32), "mcp:text");

    @TempDir
    Path dir;
    private MockWebServer server;
    private ProviderConfig provider;
    private final AtomicInteger ran = new AtomicInteger();
    private final List<RunEvent> heard = Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void start() throws Exception {
        server = MockServers.create();
        server.start();
        provider = new ProviderConfig("p", ProviderType.OPENAI, server.url("/v1").toString(), null, null, null,
                List.of(), null, Origin.of("test", "test"));
    }

    @AfterEach
    void stop() throws Exception {
        server.shutdown();
    }

    private ModelRef model(String name) {
        return new ModelRef(provider, ModelSpec.unlisted(name, Origin.of("test", "test")));
    }

    /** Reverses the "text" argument: a real computation, so the result the model gets proves the tool ran. */
    private ToolOutput reverse(Tool tool, String arguments, java.util.function.Consumer<String> progress) {
        ran.incrementAndGet();
        progress.accept("1/1 reversing");
        try {
            String text = JSON.readTree(arguments).path("text").asText();
            return new ToolOutput(new StringBuilder(text).reverse().toString(), false);
        } catch (Exception e) {
            return new ToolOutput("bad arguments: " + e.getMessage(), true);
        }
    }

    private Orchestrator engine(ToolGate gate, int maxRounds) {
        CallExecutor executor = new CallExecutor(new ProviderKeys(KeyResolver.environment(Map.of())),
                new ProviderClients(Transport.shared(new HttpSettings(Duration.ofSeconds(5), Duration.ofSeconds(30),
                        0))), System::nanoTime);
        return new Orchestrator(executor, null, new ToolKit(this::reverse, gate, maxRounds));
    }

    /** A conversation whose history holds the prompt of {@link #request}, as run records it before the call. */
    private Conversation conversation(RunMode mode, List<String> models) {
        Conversation conversation = Conversation.start(dir, "run", mode, models, null, "test");
        conversation.user("Reverse abc");
        return conversation;
    }

    private List<RunResult> run(Orchestrator engine, Plan plan, Conversation conversation) {
        List<RunResult> results = engine.run(plan, heard::add, Recording.of(conversation), new Cancellation());
        conversation.end(ExitCode.OK);
        conversation.close();
        return results;
    }

    private RunRequest request(ModelRef model) {
        return RunRequest.of(model, null, "Reverse abc", Map.of(), true).withTools(List.of(REVERSE));
    }

    private static JsonNode body(RecordedRequest request) throws Exception {
        return JSON.readTree(request.getBody().readUtf8());
    }

    private List<EventData> events(Conversation conversation) {
        return EventCodec.decodeAll(EventLog.read(conversation.file()));
    }

    @Test
    void runsTheToolTheModelCallsAndSendsItsResultBack() throws Exception {
        server.enqueue(OpenAiAnswers.toolCalls("call_1", "text_reverse", "{\"text\":\"abc\"}"));
        server.enqueue(OpenAiAnswers.streamed("It is cba.", 10, 4));
        Conversation conversation = conversation(RunMode.SINGLE, List.of("p/m"));
        RunResult result = run(engine((call, tool, args) -> new ToolGate.Approval(true, "test rule"), 10),
                new Plan.Single(request(model("m"))), conversation).get(0);

        assertThat(result.succeeded()).as("%s", result.error()).isTrue();
        assertThat(result.text()).isEqualTo("It is cba.");
        assertThat(ran).hasValue(1);
        assertThat(result.answer().parts(Part.ToolResult.class)).containsExactly(
                new Part.ToolResult("call_1", "cba", false));
        assertThat(result.usage().inputTokens()).isEqualTo(13);
        assertThat(result.usage().outputTokens()).isEqualTo(6);

        JsonNode first = body(server.takeRequest());
        assertThat(first.path("tools").get(0).path("function").path("name").asText()).isEqualTo("text_reverse");
        assertThat(body(server.takeRequest()).toString()).contains("cba").contains("call_1");

        List<String> types = events(conversation).stream().map(EventData::type).toList();
        assertThat(types).containsSubsequence("tool.offer", "request", "response", "tool.approval", "tool.call",
                "tool.result", "request", "response", "session.end");
        assertThat(heard).anyMatch(e -> e instanceof RunEvent.ToolRunning running
                && running.tool().equals("text.reverse"));
        assertThat(heard).anyMatch(e -> e instanceof RunEvent.ToolProgress progress
                && progress.line().equals("1/1 reversing"));
        assertThat(ChainVerifier.verify(conversation.file()).ok()).isTrue();

        Replay.Result replay = Replay.replay(conversation.file(), new ModelCatalog(Map.of("p", provider)),
                new ProviderClients(Transport.shared(HttpSettings.DEFAULT)));
        assertThat(replay.divergence()).isNull();
        assertThat(replay.calls()).hasSize(2);
        assertThat(replay.calls().get(1).request().messages()).hasSize(3);
    }

    @Test
    void aRefusedCallIsNotRunAndTheModelIsToldWhy() throws Exception {
        server.enqueue(OpenAiAnswers.toolCalls("call_1", "text_reverse", "{\"text\":\"abc\"}"));
        server.enqueue(OpenAiAnswers.streamed("I may not."));
        Conversation conversation = conversation(RunMode.SINGLE, List.of("p/m"));
        RunResult result = run(engine((call, tool, args) -> new ToolGate.Approval(false, "tool_policy rule 1"), 10),
                new Plan.Single(request(model("m"))), conversation).get(0);

        assertThat(result.succeeded()).isTrue();
        assertThat(ran).hasValue(0);
        Part.ToolResult refused = result.answer().parts(Part.ToolResult.class).get(0);
        assertThat(refused.isError()).isTrue();
        assertThat(refused.content()).contains("tool_policy rule 1");
        server.takeRequest();
        assertThat(body(server.takeRequest()).toString()).contains("tool_policy rule 1");
        assertThat(events(conversation)).anyMatch(e -> e instanceof EventData.ToolApproval approval
                && !approval.allowed() && approval.decidedBy().equals("tool_policy rule 1"));
        assertThat(events(conversation)).noneMatch(EventData.ToolCall.class::isInstance);
    }

    @Test
    void aModelThatNeverStopsCallingToolsEndsAtTheRoundLimit() {
        for (int i = 0; i < 3; i++) {
            server.enqueue(OpenAiAnswers.toolCalls("call_" + i, "text_reverse", "{\"text\":\"x\"}"));
        }
        Conversation conversation = conversation(RunMode.SINGLE, List.of("p/m"));
        RunResult result = run(engine((call, tool, args) -> new ToolGate.Approval(true, "--yolo"), 2),
                new Plan.Single(request(model("m"))), conversation).get(0);

        assertThat(result.succeeded()).isFalse();
        assertThat(result.error().exitCode()).isEqualTo(ExitCode.FAILURE);
        assertThat(result.error().getMessage()).contains("after 2 rounds");
        assertThat(server.getRequestCount()).isEqualTo(3);
        assertThat(ran).hasValue(2);
        assertThat(result.usage().inputTokens()).isEqualTo(9);

        // continued, the unanswered rounds and the question they answered leave the history (no wire format takes
        // tool calls without their results)
        try (Conversation continued = Conversation.resume(Conversation.continuable(dir, conversation.id()), "run -c", RunMode.SINGLE,
                List.of("p/m"), null, "test")) {
            continued.user("Never mind; say hi");
            assertThat(continued.messages()).extracting(message -> message.content())
                    .containsExactly("Never mind; say hi");
        }
    }

    @Test
    void aNameTheModelMadeUpGetsAnErrorResultAndTheLoopGoesOn() throws Exception {
        server.enqueue(OpenAiAnswers.toolCalls("call_1", "rm_rf", "{}", "call_2", "text_reverse", "{\"text\":\"ab\"}"));
        server.enqueue(OpenAiAnswers.streamed("ba"));
        RunResult result = run(engine((call, tool, args) -> new ToolGate.Approval(true, "--yolo"), 10),
                new Plan.Single(request(model("m"))), conversation(RunMode.SINGLE, List.of("p/m"))).get(0);

        assertThat(result.succeeded()).isTrue();
        List<Part.ToolResult> results = result.answer().parts(Part.ToolResult.class);
        assertThat(results).hasSize(2);
        assertThat(results.get(0).isError()).isTrue();
        assertThat(results.get(0).content()).contains("no tool named rm_rf");
        assertThat(results.get(1)).isEqualTo(new Part.ToolResult("call_2", "ba", false));
    }

    @Test
    void cancellingStopsARunningToolAndTheCall() throws Exception {
        server.enqueue(OpenAiAnswers.toolCalls("call_1", "text_reverse", "{\"text\":\"abc\"}"));
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        CallExecutor executor = new CallExecutor(new ProviderKeys(KeyResolver.environment(Map.of())),
                new ProviderClients(Transport.shared(HttpSettings.DEFAULT)), System::nanoTime);
        Orchestrator engine = new Orchestrator(executor, null, new ToolKit((tool, args, progress) -> {
            running.countDown();
            try {
                Thread.sleep(60_000);
                return new ToolOutput("slept", false);
            } catch (InterruptedException e) {
                interrupted.countDown();
                Thread.currentThread().interrupt();
                return new ToolOutput("cancelled", true);
            }
        }, ToolGate.ALLOW_ALL, 10));
        Cancellation cancellation = new Cancellation();
        Thread canceller = new Thread(() -> {
            try {
                if (running.await(20, TimeUnit.SECONDS)) {
                    cancellation.cancel();
                }
            } catch (InterruptedException ignored) {
                // the test ends
            }
        });
        canceller.start();
        RunResult result = engine.run(new Plan.Single(request(model("m"))), heard::add, Recording.NONE, cancellation)
                .get(0);

        assertThat(interrupted.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(result.succeeded()).isFalse();
        assertThat(result.error().exitCode()).isEqualTo(ExitCode.INTERRUPTED);
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void toolsStoppedBeforeTheRunIsCancelledSendNoFurtherRound() throws Exception {
        // Ctrl-C: the JVM's shutdown hooks run at once; the one stopping the tools may come before the one that
        // cancels the run, so the tool ends with an error while the run is not yet cancelled
        server.enqueue(OpenAiAnswers.toolCalls("call_1", "text_reverse", "{\"text\":\"abc\"}"));
        server.enqueue(OpenAiAnswers.streamed("It is cba.", 10, 4));
        java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
        CallExecutor executor = new CallExecutor(new ProviderKeys(KeyResolver.environment(Map.of())),
                new ProviderClients(Transport.shared(HttpSettings.DEFAULT)), System::nanoTime);
        Orchestrator engine = new Orchestrator(executor, null, new ToolKit(new ToolKit.Runner() {
            @Override
            public ToolOutput call(Tool tool, String arguments, java.util.function.Consumer<String> progress) {
                ran.incrementAndGet();
                closed.set(true);
                return new ToolOutput("the MCP server closed its connection", true);
            }

            @Override
            public boolean stopped() {
                return closed.get();
            }
        }, ToolGate.ALLOW_ALL, 10));

        RunResult result = engine.run(new Plan.Single(request(model("m"))), heard::add, Recording.NONE,
                new Cancellation()).get(0);

        assertThat(ran).hasValue(1);
        assertThat(result.succeeded()).isFalse();
        assertThat(result.error().exitCode()).isEqualTo(ExitCode.INTERRUPTED);
        assertThat(server.getRequestCount()).as("no round after the stopped tools").isEqualTo(1);
    }

    @Test
    void eachModelOfAFanOutHasItsOwnRoundsAndTheLogReplays() throws Exception {
        server.setDispatcher(new okhttp3.mockwebserver.Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                String body = request.getBody().readUtf8();
                String model = body.contains("\"model\":\"a\"") ? "a" : "b";
                return body.contains("\"role\":\"tool\"") || body.contains("call_" + model + "\",\"content")
                        ? OpenAiAnswers.streamed("done " + model)
                        : OpenAiAnswers.toolCalls("call_" + model, "text_reverse", "{\"text\":\"" + model + "z\"}");
            }
        });
        Conversation conversation = conversation(RunMode.PARALLEL, List.of("p/a", "p/b"));
        List<RunResult> results = run(engine(ToolGate.ALLOW_ALL, 10),
                new Plan.FanOut(request(model("a")), List.of(model("a"), model("b"))), conversation);

        assertThat(results).extracting(RunResult::text).containsExactly("done a", "done b");
        assertThat(results.get(0).answer().parts(Part.ToolResult.class).get(0).content()).isEqualTo("za");
        assertThat(results.get(1).answer().parts(Part.ToolResult.class).get(0).content()).isEqualTo("zb");
        Replay.Result replay = Replay.replay(conversation.file(), new ModelCatalog(Map.of("p", provider)),
                new ProviderClients(Transport.shared(HttpSettings.DEFAULT)));
        assertThat(replay.divergence()).isNull();
        assertThat(replay.calls()).hasSize(4);
    }
}
