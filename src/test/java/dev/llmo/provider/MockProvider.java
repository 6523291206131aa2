package dev.llmo.provider;

import dev.llmo.MockServers;
import dev.llmo.config.ProviderType;
import dev.llmo.provider.anthropic.AnthropicClient;
import dev.llmo.provider.gemini.GeminiClient;
import dev.llmo.provider.openai.OpenAiClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A MockWebServer speaking one provider's wire format, started before each test and shut down after it, with the
 * client of that format pointed at it (no retries: an error answer is final).
 * <pre>
 * &#64;RegisterExtension
 * final MockProvider anthropic = new MockProvider(ProviderType.ANTHROPIC);
 *
 * anthropic.answerStream(anthropic.recorded("tool-use.sse"));
 * ChatResponse response = anthropic.client().complete(request);
 * String body = anthropic.sentBody();
 * </pre>
 */
public final class MockProvider implements BeforeEachCallback, AfterEachCallback {
    private final ProviderType type;
    private final int retries;
    private MockWebServer server;
    private ProviderClient client;
    private ProviderTestSupport.RecordingSleeper sleeper;
    private dev.llmo.message.ContentSource contents = dev.llmo.message.ContentSource.NONE;

    public MockProvider(ProviderType type) {
        this(type, 0);
    }

    /** @param retries how often a retryable failure is tried again (the waits are recorded, not slept) */
    public MockProvider(ProviderType type, int retries) {
        this.type = type;
        this.retries = retries;
    }

    /** The client reads attachments' bytes from {@code source} (e.g. a map of test blobs). */
    public MockProvider contents(dev.llmo.message.ContentSource source) {
        this.contents = source;
        return this;
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        server = MockServers.create();
        server.start();
        String keyName = type.id().toUpperCase() + "_API_KEY";
        var provider = ProviderTestSupport.provider(type.id(), type, server, "/", keyName);
        var key = ProviderTestSupport.key(keyName);
        sleeper = new ProviderTestSupport.RecordingSleeper();
        var transport = ProviderTestSupport.transport(sleeper, retries);
        client = switch (type) {
            case OPENAI -> new OpenAiClient(provider, key, transport, contents);
            case ANTHROPIC -> new AnthropicClient(provider, key, transport, contents);
            case GEMINI -> new GeminiClient(provider, key, transport, contents);
        };
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        server.shutdown();
    }

    public ProviderClient client() {
        return client;
    }

    /** The provider's batch service on the same server, key and transport, with its documented limits. */
    public BatchService batches() {
        return switch (type) {
            case OPENAI -> new dev.llmo.provider.openai.OpenAiBatches((OpenAiClient) client);
            case ANTHROPIC -> new dev.llmo.provider.anthropic.AnthropicBatches((AnthropicClient) client);
            case GEMINI -> new dev.llmo.provider.gemini.GeminiBatches((GeminiClient) client);
        };
    }

    /** The provider's batch service with other limits. */
    public BatchService batches(BatchLimits limits) {
        return switch (type) {
            case OPENAI -> new dev.llmo.provider.openai.OpenAiBatches((OpenAiClient) client, limits);
            case ANTHROPIC -> new dev.llmo.provider.anthropic.AnthropicBatches((AnthropicClient) client, limits);
            case GEMINI -> new dev.llmo.provider.gemini.GeminiBatches((GeminiClient) client, limits);
        };
    }

    /** The waits between attempts, in order. */
    public java.util.List<java.time.Duration> waits() {
        return sleeper.delays;
    }

    /** Answers the next request with {@code response}. */
    public void answer(MockResponse response) {
        server.enqueue(response);
    }

    /** The address of {@code path} on the server. */
    public String url(String path) {
        return server.url(path).toString();
    }

    /** How many requests reached the server so far. */
    public int requestCount() {
        return server.getRequestCount();
    }

    /** Answers the next request with a stream. */
    public void answerStream(String events) {
        server.enqueue(new MockResponse().setHeader("Content-Type", "text/event-stream").setBody(events));
    }

    /** Answers the next request with a whole JSON body. */
    public void answerJson(String body) {
        server.enqueue(new MockResponse().setHeader("Content-Type", "application/json").setBody(body));
    }

    /** Answers the next request with an error, for tests that only look at what was sent. */
    public void answerError() {
        server.enqueue(new MockResponse().setResponseCode(400).setBody("{}"));
    }

    /** The next request the server received. */
    public RecordedRequest sent() {
        try {
            RecordedRequest request = server.takeRequest(5, TimeUnit.SECONDS);
            if (request == null) {
                throw new AssertionError("no request reached the server");
            }
            return request;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The body of the next request the server received, byte for byte (as UTF-8). */
    public String sentBody() {
        return sent().getBody().readUtf8();
    }

    /** The body {@code request} is sent as: the request is made against an error answer, which is ignored. */
    public String bodyOf(ChatRequest request) {
        answerError();
        try {
            client.complete(request);
        } catch (RuntimeException expected) {
            // the 400 above: only the body matters
        }
        return sentBody();
    }

    /** A recorded answer of this format, {@code src/test/resources/recorded/<format>/<name>}. */
    public String recorded(String name) {
        String path = "/recorded/" + type.id() + "/" + name;
        try (InputStream in = MockProvider.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new AssertionError("no recorded answer " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
