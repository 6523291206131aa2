package dev.llmo.provider;

import dev.llmo.MockServers;
import static org.assertj.core.api.Assertions.assertThat;

import dev.llmo.config.ProviderType;
import dev.llmo.failure.InterruptedRunException;
import dev.llmo.provider.ProviderTestSupport.Recorder;
import dev.llmo.provider.http.HttpSettings;
import dev.llmo.provider.http.RetryPolicy;
import dev.llmo.provider.http.Sleeper;
import dev.llmo.provider.http.Transport;
import dev.llmo.provider.openai.OpenAiClient;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ProviderCancelTest {
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

    private ProviderClient client(Sleeper sleeper) {
        Transport transport = new Transport(() -> new OkHttpClient.Builder().retryOnConnectionFailure(false).build(),
                HttpSettings.DEFAULT, new RetryPolicy(2, sleeper, () -> 0.0), ProviderTestSupport.CLOCK);
        return new OpenAiClient(ProviderTestSupport.provider("openai", ProviderType.OPENAI, server, "/v1", null),
                null, transport);
    }

    @Test
    void cancelDuringAStreamKeepsTheTextAndEndsWithInterrupted() throws Exception {
        String first = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"first\"},\"finish_reason\":null}]}\n\n";
        // the rest of the stream would take minutes
        server.enqueue(new MockResponse().setHeader("Content-Type", "text/event-stream")
                .setBody(first + ": " + "keep-alive ".repeat(3000) + "\n\n" + "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"never\"}}]}\n\n".repeat(50))
                .throttleBody(first.length(), 1, TimeUnit.SECONDS));
        CountDownLatch firstText = new CountDownLatch(1);
        Recorder recorder = new Recorder() {
            @Override
            public void onEvent(StreamEvent event) {
                super.onEvent(event);
                firstText.countDown();
            }
        };
        CallHandle handle = client(Sleeper.REAL).stream(ChatRequest.of("m", null, "hi", true), recorder);
        assertThat(firstText.await(10, TimeUnit.SECONDS)).isTrue();
        handle.cancel();

        assertThat(recorder.error()).isInstanceOf(InterruptedRunException.class)
                .hasMessage("interrupted: the request to openai was cancelled");
        assertThat(recorder.texts()).containsExactly("first");
        assertThat(recorder.endings()).isEqualTo(1);
        handle.cancel(); // harmless once ended
    }

    @Test
    void cancelDuringTheWaitBeforeARetryEndsTheWait() throws Exception {
        server.enqueue(new MockResponse().setResponseCode(500));
        CountDownLatch waiting = new CountDownLatch(1);
        Sleeper blocking = duration -> {
            waiting.countDown();
            Thread.sleep(Duration.ofMinutes(5).toMillis());
        };
        Recorder recorder = new Recorder();
        CallHandle handle = client(blocking).stream(ChatRequest.of("m", null, "hi", true), recorder);
        assertThat(waiting.await(10, TimeUnit.SECONDS)).isTrue();
        handle.cancel();

        assertThat(recorder.error()).isInstanceOf(InterruptedRunException.class);
        assertThat(recorder.events).singleElement().isInstanceOf(StreamEvent.Retrying.class);
        assertThat(server.getRequestCount()).isEqualTo(1);
    }
}
