package dev.llmo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmo.eventlog.ChainVerifier;
import dev.llmo.eventlog.Event;
import dev.llmo.eventlog.EventCodec;
import dev.llmo.eventlog.EventData;
import dev.llmo.eventlog.EventLog;
import dev.llmo.message.Part;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Tools given with {@code -o tools=…} reach the provider as written, and the tool calls the model makes come back in
 * {@code run --json} ({@code tool_calls}) and in the event log, through the built binary against a server that
 * replays a provider's recorded answer (src/test/resources/recorded, sources in its README).
 */
class ToolCallsBinaryIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A wire format, the recorded answer its server gives, its tool definitions, and the calls in that answer. */
    enum Format {
        OPENAI("openai", "/v1", "openai/parallel-tool-calls.sse", "/v1/chat/completions",
                "[{\"type\":\"function\",\"function\":{\"name\":\"GetWeatherArgs\","
                        + "\"parameters\":{\"type\":\"object\"}}},{\"type\":\"function\",\"function\":"
                        + "{\"name\":\"get_stock_price\",\"parameters\":{\"type\":\"object\"}}}]",
                new Part.ToolCall("call_JMW1whyEaYG438VE1OIflxA2", "GetWeatherArgs",
                        "{\"city\": \"Edinburgh\", \"country\": \"GB\", \"units\": \"c\"}"),
                new Part.ToolCall("call_DNYTawLBoN8fj3KN6qU9N1Ou", "get_stock_price",
                        "{\"ticker\": \"AAPL\", \"exchange\": \"NASDAQ\"}")),
        ANTHROPIC("anthropic", "", "anthropic/tool-use.sse", "/v1/messages",
                "[{\"name\":\"get_weather\",\"input_schema\":{\"type\":\"object\","
                        + "\"properties\":{\"location\":{\"type\":\"string\"}}}}]",
                new Part.ToolCall("toolu_01NRLabsLyVHZPKxbKvkfSMn", "get_weather", "{\"location\": \"Paris\"}"));

        final String type;
        final String basePath;
        final String fixture;
        final String endpoint;
        final String tools;
        final List<Part.ToolCall> calls;

        Format(String type, String basePath, String fixture, String endpoint, String tools, Part.ToolCall... calls) {
            this.type = type;
            this.basePath = basePath;
            this.fixture = fixture;
            this.endpoint = endpoint;
            this.tools = tools;
            this.calls = List.of(calls);
        }
    }

    @TempDir
    Path home;
    private MockWebServer server;

    @BeforeEach
    void start() throws IOException {
        server = MockServers.create();
        server.start();
    }

    @AfterEach
    void stop() throws IOException {
        server.shutdown();
    }

    @ParameterizedTest
    @EnumSource(Format.class)
    void theModelsToolCallsAreInTheJsonOutputAndInTheEventLog(Format format) throws Exception {
        Path dir = Files.createDirectories(home.resolve("llmo"));
        Files.writeString(dir.resolve("models.yaml"), """
                mock:
                  type: %s
                  base_url: %s
                  api_key_name: MOCK_API_KEY
                  models: [m1]
                """.formatted(format.type, server.url(format.basePath).toString().replaceAll("/$", "")));
        server.enqueue(new MockResponse().setHeader("Content-Type", "text/event-stream").setBody(recorded(format)));

        BinaryRun.Result result = BinaryRun.in(home).env("MOCK_API_KEY", "sk-it-secret")
                .run("run", "--json", "-m", "mock/m1", "-o", "tools=" + format.tools, "What's the weather?");

        assertThat(result.exitCode()).as(result.err()).isZero();
        RecordedRequest request = server.takeRequest();
        assertThat(request.getPath()).isEqualTo(format.endpoint);
        assertThat(JSON.readTree(request.getBody().readUtf8()).get("tools")).as("the tools as given")
                .isEqualTo(JSON.readTree(format.tools));

        JsonNode line = JSON.readTree(result.out());
        assertThat(line.get("stop_reason").asText()).isEqualTo("tool_call");
        assertThat(line.get("tool_calls")).isEqualTo(JSON.valueToTree(format.calls.stream()
                .map(call -> java.util.Map.of("id", call.id(), "name", call.name(), "arguments", call.arguments()))
                .toList()));

        Path log = onlyLog();
        List<Event> events = EventLog.read(log);
        List<Part> logged = events.stream().filter(e -> e.type().equals("response"))
                .map(e -> (EventData.Response) EventCodec.decode(e)).flatMap(r -> r.parts().stream()).toList();
        assertThat(logged.stream().filter(Part.ToolCall.class::isInstance).toList())
                .containsExactlyElementsOf(format.calls);
        assertThat(ChainVerifier.verify(log).ok()).isTrue();
    }

    private static String recorded(Format format) throws IOException {
        try (InputStream in = ToolCallsBinaryIT.class.getResourceAsStream("/recorded/" + format.fixture)) {
            assertThat(in).as(format.fixture).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private Path onlyLog() throws IOException {
        try (Stream<Path> files = Files.list(home.resolve("llmo/conversations"))) {
            List<Path> logs = files.filter(f -> f.toString().endsWith(".jsonl")).toList();
            assertThat(logs).hasSize(1);
            return logs.get(0);
        }
    }
}
