package dev.llmo.provider;

import dev.llmo.MockServers;
import static org.assertj.core.api.Assertions.assertThat;

import dev.llmo.config.ProviderType;
import dev.llmo.core.ProviderClients;
import dev.llmo.failure.ErrorKind;
import dev.llmo.failure.LlmoException;
import dev.llmo.failure.ModelCallException;
import dev.llmo.provider.ProviderTestSupport.Recorder;
import dev.llmo.provider.http.HttpSettings;
import dev.llmo.provider.http.RetryPolicy;
import dev.llmo.provider.http.Sleeper;
import dev.llmo.provider.http.Transport;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The deadline of a call ({@code --timeout}) covers every attempt, the waits between them and the whole body: a server
 * that trickles bytes (each read well within the read timeout) cannot hold a run forever.
 */
class CallDeadlineTest {
    private MockWebServer server;

    @BeforeEach
    void start() throws Exception {
        server = MockServers.create();
        server.start();
    }

    @AfterEach
    void stop() throws Exception {
        server.shutdown();
    }

    /** Real sleeping, a 30 s read timeout (never reached here) and the given deadline. */
    private ProviderClient client(Duration callTimeout) {
        HttpSettings settings = new HttpSettings(Duration.ofSeconds(5), Duration.ofSeconds(30), 2)
                .withCallTimeout(callTimeout);
        Transport transport = new Transport(() -> new OkHttpClient.Builder().retryOnConnectionFailure(false)
                .readTimeout(30, TimeUnit.SECONDS).build(), settings,
                new RetryPolicy(2, Sleeper.REAL, () -> 0.0), ProviderTestSupport.CLOCK);
        return new ProviderClients(transport).create(ProviderTestSupport.provider("openai", ProviderType.OPENAI,
                server, "/v1", "OPENAI_API_KEY"), ProviderTestSupport.key("OPENAI_API_KEY"));
    }

    private static ChatRequest request(boolean stream) {
        return new ChatRequest("gpt-4o", null, List.of(ChatMessage.user("hi")), Map.of(), null, stream);
    }

    /** "Hi" at once, then 300 more deltas: about 20 KB, which the throttle makes last over 15 s. */
    private static String longStream() {
        StringBuilder body = new StringBuilder("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},"
                + "\"finish_reason\":null}]}\n\n");
        for (int i = 0; i < 300; i++) {
            body.append("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\".\"},\"finish_reason\":null}]}\n\n");
        }
        return body.append("data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n")
                .append("data: [DONE]\n\n").toString();
    }

    @Test
    void aTricklingStreamEndsAtTheDeadlineWithItsTextKept() {
        // 128 bytes every 100 ms: the first event comes in the first 128 bytes, at once; each read is quick, and the
        // whole body would take over 15 s
        server.enqueue(new MockResponse().setHeader("Content-Type", "text/event-stream").setBody(longStream())
                .throttleBody(128, 100, TimeUnit.MILLISECONDS));
        Recorder recorder = new Recorder();
        // waited out, so short; but long enough for the first event to arrive on a loaded machine (it is sent at
        // once), and far shorter than the whole body
        client(Duration.ofSeconds(3)).stream(request(true), recorder);

        LlmoException error = recorder.error();
        assertThat(error).isInstanceOfSatisfying(ModelCallException.class, e -> {
            assertThat(e.kind()).isEqualTo(ErrorKind.TIMEOUT);
            assertThat(e.exitCode().code()).isEqualTo(1);
            assertThat(e.fix()).contains("--timeout");
        });
        assertThat(error).hasMessage("no complete answer from openai within 3 s (--timeout)");
        assertThat(recorder.texts()).startsWith("Hi");
        assertThat(server.getRequestCount()).isEqualTo(1); // text reached the user: never retried
    }

    @Test
    void aTricklingWholeBodyEndsAtTheDeadline() {
        server.enqueue(new MockResponse().setHeader("Content-Type", "application/json")
                .setBody("{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\""
                        + ".".repeat(20_000) + "\"},\"finish_reason\":\"stop\"}]}")
                .throttleBody(32, 100, TimeUnit.MILLISECONDS));
        Recorder recorder = new Recorder();
        client(Duration.ofSeconds(1)).stream(request(false), recorder);

        assertThat(recorder.error()).isInstanceOfSatisfying(ModelCallException.class,
                e -> assertThat(e.kind()).isEqualTo(ErrorKind.TIMEOUT));
    }

    @Test
    void theDeadlineCoversTheWaitsBetweenAttempts() {
        // the provider asks for a 20 s wait; a 1 s deadline cannot afford it, so the 503 is the answer at once
        for (int i = 0; i < 3; i++) {
            server.enqueue(new MockResponse().setResponseCode(503).setHeader("retry-after", "20")
                    .setBody("{\"error\":{\"message\":\"busy\",\"type\":\"server_error\"}}"));
        }
        Recorder recorder = new Recorder();
        client(Duration.ofSeconds(1)).stream(request(true), recorder);

        assertThat(recorder.error()).isInstanceOfSatisfying(ModelCallException.class,
                e -> assertThat(e.kind()).isEqualTo(ErrorKind.OVERLOADED))
                .hasMessageEndingWith("(no time left to retry within --timeout 1 s)");
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void zeroMeansNoDeadline() {
        assertThat(new HttpSettings(Duration.ofSeconds(1), Duration.ofSeconds(1), 0).withCallTimeout(Duration.ZERO)
                .hasCallTimeout()).isFalse();
        assertThat(HttpSettings.DEFAULT.callTimeout()).isEqualTo(Duration.ofSeconds(600));
        server.enqueue(new MockResponse().setHeader("Content-Type", "text/event-stream")
                .setBody("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"ok\"},\"finish_reason\":\"stop\"}]}"
                        + "\n\ndata: [DONE]\n\n"));
        assertThat(client(Duration.ZERO).complete(request(true)).text()).isEqualTo("ok");
    }
}
