package dev.llmo.cli;

import dev.llmo.OpenAiAnswers;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmo.cli.CliRun.Result;
import dev.llmo.eventlog.ChainVerifier;
import dev.llmo.eventlog.Event;
import dev.llmo.eventlog.EventLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code llmo chain run} against a mock server that answers with what it was asked: the data flow between steps,
 * conditions, loops, fan-out, JSON, the dry run and the event log.
 */
class ChainRunTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path home;
    private MockWebServer server;
    private final List<JsonNode> bodies = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = new MockWebServer();
        // Each model answers "<model> saw: <last user message>", so every test can see what flowed where.
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                try {
                    JsonNode body = JSON.readTree(request.getBody().readUtf8());
                    synchronized (bodies) {
                        bodies.add(body);
                    }
                    JsonNode messages = body.get("messages");
                    String last = messages.get(messages.size() - 1).get("content").asText();
                    String answer = body.get("model").asText() + " saw: " + last;
                    if (last.contains("FIXME") && body.get("model").asText().equals("fixer")) {
                        answer = bodies.stream().filter(b -> b.get("model").asText().equals("fixer")).count() >= 2
                                ? "fixed, LGTM" : "still FIXME";
                    }
                    return OpenAiAnswers.streamed(answer, 10, 5);
                } catch (Exception e) {
                    return new MockResponse().setResponseCode(500);
                }
            }
        });
        server.start();
        Path dir = Files.createDirectories(home.resolve("llmo"));
        Files.writeString(dir.resolve("models.yaml"), """
                mock:
                  type: openai
                  base_url: %s
                  models:
                    - { name: writer, max_output_tokens: 100, pricing: { input_per_mtok: 1, output_per_mtok: 2 } }
                    - { name: critic, max_output_tokens: 100, pricing: { input_per_mtok: 1, output_per_mtok: 2 } }
                    - { name: fixer, max_output_tokens: 100, pricing: { input_per_mtok: 1, output_per_mtok: 2 } }
                """.formatted(server.url("/v1")));
        Files.writeString(dir.resolve("config.yaml"), """
                main_llm: mock/writer
                chains:
                  compact:
                    - "Draft>/Developer)-mock/writer"
                    - "Critique>/Tester)-mock/critic"
                  full:
                    description: draft, two reviews, fix until approved
                    steps:
                      - { name: draft, model: mock/writer, prompt: "Write: {{input}}" }
                      - { name: review, parallel: [mock/critic, mock/writer], prompt: "Review: {{draft}}" }
                      - name: skipped
                        model: mock/critic
                        when: "review contains 'never said'"
                      - name: fix
                        model: mock/fixer
                        prompt: "FIXME {{draft}} / {{output}}{{skipped}}"
                        repeat: { until: "output contains 'LGTM'", max: 3 }
                """);
    }

    @AfterEach
    void stop() throws Exception {
        server.shutdown();
    }

    private Path onlyLog() throws Exception {
        try (Stream<Path> files = Files.list(home.resolve("llmo/conversations"))) {
            return files.findFirst().orElseThrow();
        }
    }

    @Test
    void compactChainPassesEachAnswerOnWithTheStepNameAsInstructionAndTheRolesSystemPrompt() throws Exception {
        Result result = CliRun.in(home).run("chain", "run", "compact", "a", "CSV", "parser");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).isEqualTo("critic saw: Critique\n\nwriter saw: Draft\n\na CSV parser\n");
        assertThat(bodies.get(0).at("/messages/0/content").asText()).startsWith("You are a senior software engineer");
        assertThat(bodies.get(1).at("/messages/0/content").asText()).startsWith("You are a meticulous software tester");
        assertThat(bodies.get(1).get("messages")).hasSize(2);
    }

    @Test
    void yamlChainWithFanOutConditionAndBoundedLoop() throws Exception {
        Result result = CliRun.in(home).stdin("a haiku").run("chain", "run", "full", "--json");

        assertThat(result.exitCode()).as(result.err()).isZero();
        List<JsonNode> lines = result.out().lines().map(l -> {
            try {
                return JSON.readTree(l);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }).toList();
        assertThat(lines).extracting(l -> l.get("step").asText() + "/" + l.get("model").asText())
                .containsExactly("draft/mock/writer", "review/mock/critic", "review/mock/writer", "fix/mock/fixer",
                        "fix/mock/fixer");
        assertThat(lines.get(4).get("text").asText()).isEqualTo("fixed, LGTM");
        assertThat(lines.get(4).get("iteration").asInt()).isEqualTo(2);
        assertThat(lines).allSatisfy(l -> assertThat(l.get("conversation").asText()).hasSize(26));
        // the fan-out's output is both answers under headers, and the loop saw its own previous output
        JsonNode firstFix = bodies.stream().filter(b -> b.get("model").asText().equals("fixer")).findFirst().orElseThrow();
        assertThat(firstFix.at("/messages/0/content").asText()).isEqualTo("FIXME writer saw: Write: a haiku / "
                + "== mock/critic ==\ncritic saw: Review: writer saw: Write: a haiku\n\n== mock/writer ==\n"
                + "writer saw: Review: writer saw: Write: a haiku");
        assertThat(bodies).noneMatch(b -> b.at("/messages/0/content").asText().contains("never said"));

        List<Event> events = EventLog.read(onlyLog());
        assertThat(events.stream().filter(e -> e.type().equals("chain.step")).map(e -> e.data().get("step").asText()
                + (e.data().get("skipped").asBoolean() ? "-" : "")))
                .containsExactly("draft", "review", "skipped-", "fix", "fix");
        assertThat(ChainVerifier.verify(onlyLog()).ok()).isTrue();
        assertThat(events.get(0).data().get("models").toString())
                .isEqualTo("[\"mock/writer\",\"mock/critic\",\"mock/fixer\"]");
    }

    @Test
    void aChainRunReplaysOffline() throws Exception {
        Result run = CliRun.in(home).run("chain", "run", "full", "a poem");
        assertThat(run.exitCode()).isZero();
        int sent = server.getRequestCount();
        String id = onlyLog().getFileName().toString().replace(".jsonl", "");

        Result replay = CliRun.in(home).run("log", "replay", id);

        assertThat(replay.exitCode()).as(replay.err()).isZero();
        assertThat(replay.err()).contains("replayed 5 calls");
        assertThat(replay.out()).isEqualTo(run.out()).isEqualTo("fixed, LGTM\n");
        assertThat(server.getRequestCount()).isEqualTo(sent);
    }

    @Test
    void dryRunPrintsThePlanWithCostsAndSendsNothing() {
        Result result = CliRun.in(home).run("chain", "run", "full", "--dry-run", "a haiku");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).contains("chain full: 4 steps; sends nothing").contains("4. fix  (up to 3 runs)")
                .contains("mock/critic: ").containsPattern("at most \\$0\\.\\d+");
        assertThat(server.getRequestCount()).isZero();
        assertThat(home.resolve("llmo/conversations")).doesNotExist();
    }

    @Test
    void noInputIsAUsageErrorAndAnUnknownChainIsExit3() {
        assertThat(CliRun.in(home).run("chain", "run", "full").exitCode()).isEqualTo(2);
        assertThat(CliRun.in(home).run("chain", "run", "ful", "x").exitCode()).isEqualTo(3);
    }
}
