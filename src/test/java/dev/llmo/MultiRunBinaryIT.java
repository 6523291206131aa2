package dev.llmo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmo.eventlog.ChainVerifier;
import dev.llmo.eventlog.Event;
import dev.llmo.eventlog.EventLog;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The built binary running several models: the piped output, and Ctrl-C cancelling every call in flight. */
class MultiRunBinaryIT {
    private static final String PARTIAL =
            "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"partial\"},\"finish_reason\":null}]}\n\n";

    @TempDir
    Path home;
    private MockWebServer server;

    @BeforeEach
    void start() throws IOException {
        server = MockServers.create();
        server.start();
        Path dir = Files.createDirectories(home.resolve("llmo"));
        Files.writeString(dir.resolve("models.yaml"), """
                mock:
                  type: openai
                  base_url: %s
                  api_key_name: MOCK_API_KEY
                  models:
                    - name: m1
                    - name: m2
                    - name: m3
                """.formatted(server.url("/v1")));
        Files.writeString(dir.resolve("config.yaml"), "main_llm: mock/m1\n");
    }

    @AfterEach
    void stop() throws IOException {
        server.shutdown();
    }

    private Process llmo(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(System.getProperty("llmo.binary", "target/llmo")));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectInput(new File("/dev/null"));
        builder.environment().put("HOME", home.toString());
        builder.environment().put("LLMO_HOME", home.resolve("llmo").toString());
        builder.environment().put("LLMO_SYSTEM_CONFIG_DIR", home.resolve("etc").toString());
        builder.environment().putAll(BinaryRun.startUpArchive());
        builder.environment().put("LLMO_MAX_RETRIES", "0");
        builder.environment().put("MOCK_API_KEY", "sk-it-secret");
        builder.environment().remove("LLMO_MODEL");
        return builder.start();
    }

    private static MockResponse answer(String text) {
        return new MockResponse().setHeader("Content-Type", "text/event-stream").setBody(
                "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + text + "\"}}]}\n\n"
                        + "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
                        + "data: [DONE]\n\n");
    }

    @Test
    void severalModelsPipedAreSectionsInTheGivenOrderAndAFailureExits1() throws Exception {
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                String body = request.getBody().readUtf8();
                if (body.contains("\"model\":\"m2\"")) {
                    return new MockResponse().setResponseCode(400).setBody("{\"error\":{\"message\":\"no\"}}");
                }
                return answer(body.contains("\"model\":\"m1\"") ? "one" : "three");
            }
        });
        Process process = llmo("run", "-m", "mock/m1", "-m", "mock/m2", "-m", "mock/m3", "hi");
        StreamDrain out = new StreamDrain(process.getInputStream());
        StreamDrain err = new StreamDrain(process.getErrorStream());
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();

        assertThat(process.exitValue()).isEqualTo(1);
        assertThat(out.text()).isEqualTo("== mock/m1 ==\none\n\n== mock/m2 ==\nerror: mock answered HTTP 400 "
                + "(bad request): no\n\n== mock/m3 ==\nthree\n");
        assertThat(err.text()).startsWith("llmo: error: 1 of 3 models failed: mock/m2: ").hasLineCount(1);
    }

    @Test
    void ctrlCCancelsEveryCallInFlightAndExits130() throws Exception {
        // every answer starts, then trickles for minutes: only Ctrl-C ends this run
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse().setHeader("Content-Type", "text/event-stream")
                        .setBody(PARTIAL + ": " + "keep-alive ".repeat(3000) + "\n\n")
                        .throttleBody(PARTIAL.length(), 1, TimeUnit.SECONDS);
            }
        });
        Process process = llmo("run", "-m", "mock/m1", "-m", "mock/m2", "-m", "mock/m3", "hi");
        StreamDrain out = new StreamDrain(process.getInputStream());
        StreamDrain err = new StreamDrain(process.getErrorStream());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while ((server.getRequestCount() < 3 || !out.soFar().contains("partial"))
                && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(server.getRequestCount()).as("all three calls in flight").isEqualTo(3);

        Process kill = new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("llmo ended after Ctrl-C").isTrue();

        assertThat(process.exitValue()).isEqualTo(130);
        assertThat(err.text()).isEqualTo("llmo: error: interrupted: 3 of 3 calls were cancelled\n");
        String cancelled = "error: interrupted: the request to mock was cancelled\n";
        // m1 streamed live; m2 and m3 were held, and may have been cancelled before their first text came
        String held = "(partial\n)?" + cancelled;
        assertThat(out.text()).matches("== mock/m1 ==\npartial\n" + cancelled + "\n== mock/m2 ==\n" + held
                + "\n== mock/m3 ==\n" + held);
        Path log;
        try (Stream<Path> files = Files.list(home.resolve("llmo/conversations"))) {
            log = files.findFirst().orElseThrow();
        }
        assertThat(ChainVerifier.verify(log).ok()).isTrue();
        List<Event> events = EventLog.read(log);
        assertThat(events.stream().filter(e -> e.type().equals("error"))).hasSize(3);
        assertThat(events.stream().filter(e -> e.type().equals("response")))
                .allSatisfy(e -> assertThat(e.data().get("complete").asBoolean()).isFalse());
        assertThat(events.get(events.size() - 1).data().get("status").asText()).isEqualTo("interrupted");
    }
}
