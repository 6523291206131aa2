package dev.llmo.cli.repl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmo.MockServers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;

/**
 * A mock OpenAI-compatible server and an llmo home that points at it, for chat tests: provider {@code mock} with
 * a priced model {@code m1} (window 1,000 tokens), an unpriced {@code free}, a role {@code Pirate} and a chain.
 */
public final class ChatServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final MockWebServer server = MockServers.create();

    private ChatServer() {
    }

    /** Starts the server and writes {@code home/llmo/models.yaml} and {@code config.yaml}. */
    public static ChatServer start(Path home) throws IOException {
        ChatServer chat = new ChatServer();
        chat.server.start();
        Path dir = Files.createDirectories(home.resolve("llmo"));
        Files.writeString(dir.resolve("models.yaml"), """
                mock:
                  type: openai
                  base_url: %s
                  api_key_name: MOCK_API_KEY
                  default_model: m1
                  models:
                    - name: m1
                      context_window: 1000
                      pricing: { input_per_mtok: 0.15, output_per_mtok: 0.60 }
                    - name: free
                """.formatted(chat.server.url("/v1")));
        Files.writeString(dir.resolve("config.yaml"), """
                main_llm: mock/m1
                roles:
                  Pirate: { system: "Talk like a pirate.", model: mock/free, options: { temperature: 0.9 } }
                chains:
                  review:
                    - "Draft>/Pirate)-mock"
                """);
        return chat;
    }

    /** The SSE body of an answer in one piece, with usage. */
    public static String stream(String text, int in, int out) {
        return event("{\"choices\":[{\"index\":0,\"delta\":{\"content\":" + quote(text) + "}}]}")
                + event("{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}")
                + event("{\"choices\":[],\"usage\":{\"prompt_tokens\":" + in + ",\"completion_tokens\":" + out + "}}")
                + event("[DONE]");
    }

    /** Queues an answer. */
    public ChatServer answer(String text, int in, int out) {
        server.enqueue(sse(stream(text, in, out)));
        return this;
    }

    /** Queues an answer the model cut at its output token limit ({@code finish_reason: length}). */
    public ChatServer answerCutAtLimit(String text) {
        server.enqueue(sse(stream(text, 3, 2).replace("\"finish_reason\":\"stop\"", "\"finish_reason\":\"length\"")));
        return this;
    }

    /**
     * Queues an answer that starts at once with {@code first} and then trickles for about a minute: long enough to
     * be cancelled, whatever the machine's speed.
     */
    public ChatServer slowAnswer(String first) {
        StringBuilder body = new StringBuilder(event("{\"choices\":[{\"index\":0,\"delta\":{\"content\":"
                + quote(first) + "}}]}"));
        String piece = event("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\".\"}}]}");
        for (int i = 0; i < 600; i++) {
            body.append(piece);
        }
        body.append(event("[DONE]"));
        // The first event fits in the first throttled burst; each later one waits 100 ms.
        server.enqueue(sse(body.toString()).throttleBody(piece.length() + 20, 100, TimeUnit.MILLISECONDS));
        return this;
    }

    /** Queues a server error (not retried when LLMO_MAX_RETRIES is 0). */
    public ChatServer failure(int status) {
        return failure(status, "boom");
    }

    /** Queues a server error whose message is {@code message}. */
    public ChatServer failure(int status, String message) {
        server.enqueue(new MockResponse().setResponseCode(status).setBody("{\"error\":{\"message\":" + quote(message)
                + "}}"));
        return this;
    }

    /** The next request's JSON body. */
    public JsonNode takeBody() throws InterruptedException, IOException {
        RecordedRequest request = server.takeRequest(10, TimeUnit.SECONDS);
        if (request == null) {
            throw new AssertionError("no request reached the server");
        }
        return JSON.readTree(request.getBody().readUtf8());
    }

    public int requestCount() {
        return server.getRequestCount();
    }

    public String url() {
        return server.url("/v1").toString();
    }

    private static MockResponse sse(String body) {
        return new MockResponse().setHeader("Content-Type", "text/event-stream").setBody(body);
    }

    private static String event(String data) {
        return "data: " + data + "\n\n";
    }

    private static String quote(String text) {
        return JSON.valueToTree(text).toString();
    }

    @Override
    public void close() throws IOException {
        server.shutdown();
    }
}
