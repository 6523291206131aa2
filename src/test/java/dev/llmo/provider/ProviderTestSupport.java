package dev.llmo.provider;

import dev.llmo.secret.ApiKey;
import dev.llmo.config.ModelSpec;
import dev.llmo.config.Origin;
import dev.llmo.config.ProviderConfig;
import dev.llmo.config.ProviderType;
import dev.llmo.failure.LlmoException;
import dev.llmo.provider.http.HttpSettings;
import dev.llmo.provider.http.RetryPolicy;
import dev.llmo.provider.http.Sleeper;
import dev.llmo.provider.http.Transport;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.mockwebserver.MockWebServer;

/** Shared fixtures of the provider tests: a provider pointing at a mock server, a recording sleeper, a recorder. */
public final class ProviderTestSupport {
    public static final String KEY = "sk-test-0123456789abcdef";
    public static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-21T12:00:00Z"), ZoneOffset.UTC);

    private ProviderTestSupport() {
    }

    public static ProviderConfig provider(String name, ProviderType type, MockWebServer server, String path,
                                          String keyName) {
        String url = server.url(path).toString();
        url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        return new ProviderConfig(name, type, url, keyName, null, "m", List.<ModelSpec>of(), null,
                Origin.of("test", "test"));
    }

    public static ApiKey key(String name) {
        return new ApiKey(name, KEY);
    }

    /**
     * A server that answers each connection with fixed raw bytes and then closes it: a connection cut in the middle of
     * a body, which MockWebServer cannot produce reliably.
     */
    public static final class RawServer implements AutoCloseable {
        private final java.net.ServerSocket socket;
        private final Thread thread;
        public final java.util.concurrent.atomic.AtomicInteger connections = new java.util.concurrent.atomic.AtomicInteger();

        public RawServer(String rawResponse) throws java.io.IOException {
            socket = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
            byte[] bytes = rawResponse.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            thread = new Thread(() -> {
                while (!socket.isClosed()) {
                    try (java.net.Socket client = socket.accept()) {
                        connections.incrementAndGet();
                        java.io.InputStream in = client.getInputStream();
                        // read the request head; the body is small and left unread
                        int matched = 0;
                        while (matched < 4) {
                            int b = in.read();
                            if (b < 0) {
                                break;
                            }
                            matched = (b == '\r' || b == '\n') ? matched + 1 : 0;
                        }
                        client.getOutputStream().write(bytes);
                        client.getOutputStream().flush();
                    } catch (java.io.IOException e) {
                        // closed
                    }
                }
            }, "raw-server");
            thread.setDaemon(true);
            thread.start();
        }

        public String url(String path) {
            return "http://127.0.0.1:" + socket.getLocalPort() + path;
        }

        @Override
        public void close() throws java.io.IOException {
            socket.close();
        }
    }

    /**
     * The request of a tool loop's next round: {@code request}'s conversation, the model's answer with every part it
     * sent, and the tool turn that answers its calls.
     */
    public static ChatRequest nextRound(ChatRequest request, ChatResponse answer,
                                        dev.llmo.message.Part.ToolResult... results) {
        List<ChatMessage> messages = new ArrayList<>(request.messages());
        messages.add(ChatMessage.assistant(answer.message().parts()));
        messages.add(ChatMessage.toolResults(List.of(results)));
        return new ChatRequest(request.model(), request.system(), messages, request.options(),
                request.maxOutputTokens(), request.stream(), request.tools());
    }

    /** A provider at {@code baseUrl}. */
    public static ProviderConfig provider(String name, ProviderType type, String baseUrl, String keyName) {
        return new ProviderConfig(name, type, baseUrl, keyName, null, "m", List.<ModelSpec>of(), null,
                Origin.of("test", "test"));
    }

    /** Records the delays instead of sleeping. */
    public static final class RecordingSleeper implements Sleeper {
        public final List<Duration> delays = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void sleep(Duration duration) {
            delays.add(duration);
        }
    }

    /** A transport with short timeouts, no jitter (random = 0: the full backoff) and a recording sleeper. */
    public static Transport transport(RecordingSleeper sleeper, int maxRetries) {
        HttpSettings settings = new HttpSettings(Duration.ofSeconds(2), Duration.ofSeconds(2), maxRetries);
        return new Transport(() -> new OkHttpClient.Builder().retryOnConnectionFailure(false)
                .connectTimeout(2, TimeUnit.SECONDS).readTimeout(2, TimeUnit.SECONDS).build(), settings,
                new RetryPolicy(maxRetries, sleeper, () -> 0.0), CLOCK);
    }

    /** Collects one call's events and its outcome. */
    public static class Recorder implements StreamListener {
        public final List<StreamEvent> events = Collections.synchronizedList(new ArrayList<>());
        private final CompletableFuture<Object> outcome = new CompletableFuture<>();
        private int endings;

        @Override
        public void onEvent(StreamEvent event) {
            events.add(event);
        }

        /** How many events had come at each {@link #onIdle}. */
        public final List<Integer> idleAfter = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void onIdle() {
            idleAfter.add(events.size());
        }

        @Override
        public synchronized void onComplete(ChatResponse response) {
            endings++;
            outcome.complete(response);
        }

        @Override
        public synchronized void onError(LlmoException error) {
            endings++;
            outcome.complete(error);
        }

        private Object await() {
            try {
                // far beyond any deadline a test sets, so that only a call that never ends fails here
                return outcome.get(60, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                throw new AssertionError("the call did not end within 60 s");
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }

        /** The response; fails the test when the call failed. */
        public ChatResponse response() {
            Object result = await();
            if (result instanceof LlmoException e) {
                throw new AssertionError("the call failed: " + e.getMessage(), e);
            }
            return (ChatResponse) result;
        }

        /** The error; fails the test when the call succeeded. */
        public LlmoException error() {
            Object result = await();
            if (result instanceof ChatResponse r) {
                throw new AssertionError("the call succeeded with: " + r);
            }
            return (LlmoException) result;
        }

        /** The text deltas, in order. */
        public List<String> texts() {
            synchronized (events) {
                return events.stream().filter(StreamEvent.TextDelta.class::isInstance)
                        .map(e -> ((StreamEvent.TextDelta) e).text()).toList();
            }
        }

        public synchronized int endings() {
            return endings;
        }
    }
}
