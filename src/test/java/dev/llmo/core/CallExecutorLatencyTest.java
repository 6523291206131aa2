package dev.llmo.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmo.MockServers;
import dev.llmo.OpenAiAnswers;
import dev.llmo.config.ModelRef;
import dev.llmo.config.ModelSpec;
import dev.llmo.config.Origin;
import dev.llmo.config.ProviderConfig;
import dev.llmo.config.ProviderType;
import dev.llmo.provider.http.HttpSettings;
import dev.llmo.provider.http.Transport;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.Test;

/** The latency and time to first token of a call are the model's: waiting for a key is not counted in them. */
class CallExecutorLatencyTest {

    @Test
    void aSlowVaultUnlockIsNotCountedAsLatency() throws Exception {
        try (MockWebServer server = MockServers.create()) {
            server.enqueue(OpenAiAnswers.streamed("hello"));
            server.start();
            ProviderConfig provider = new ProviderConfig("p", ProviderType.OPENAI, server.url("/v1").toString(),
                    "P_API_KEY", null, null, List.of(), null, Origin.of("test", "test"));
            ModelRef model = new ModelRef(provider, ModelSpec.unlisted("m", Origin.of("test", "test")));
            // a clock that moves only while the key is looked up: a password prompt plus a key derivation of 7 s
            AtomicLong clock = new AtomicLong();
            KeyResolver slowVault = name -> {
                clock.addAndGet(TimeUnit.SECONDS.toNanos(7));
                return Optional.of("k-from-vault");
            };
            CallExecutor executor = new CallExecutor(new ProviderKeys(KeyResolver.none(), slowVault),
                    new ProviderClients(Transport.shared(new HttpSettings(Duration.ofSeconds(5), Duration.ofSeconds(30), 0))),
                    clock::get);

            RunResult result = executor.start(RunRequest.of(model, null, "hi", Map.of(), true), text -> { }).await();

            assertThat(result.succeeded()).as("%s", result.error()).isTrue();
            assertThat(server.takeRequest().getHeader("Authorization")).isEqualTo("Bearer k-from-vault");
            assertThat(result.latencyMs()).isZero();
            assertThat(result.ttftMs()).isZero();
        }
    }
}
