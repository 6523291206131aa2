package dev.llmo.cli;

import static dev.llmo.cli.CliRunAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmo.OpenAiAnswers;
import dev.llmo.cli.CliRun.Result;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A chain step's {@code parallel:} models keep to their provider's {@code max_concurrency} (chains.md, multi-model.md),
 * through {@code llmo chain run}: six models of a provider that takes two calls at once.
 */
class ChainParallelLimitTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int LIMIT = 2;

    @RegisterExtension
    final LlmoFixture llmo = LlmoFixture.create().openAiServer()
            .mockProvider("max_concurrency: " + LIMIT + "\nmodels: [a, b, c, d, e, f]")
            .configYaml("""
                    main_llm: mock/a
                    chains:
                      fan:
                        steps:
                          - { name: all, parallel: [mock/a, mock/b, mock/c, mock/d, mock/e, mock/f], prompt: "{{input}}" }
                    """);

    @Test
    void aParallelStepHasAtMostMaxConcurrencyCallsToItsProviderInFlightAndUsesThemAll() throws Exception {
        InFlight server = new InFlight();
        llmo.server().setDispatcher(server);

        Result result = llmo.run("chain", "run", "fan", "hi");

        assertThat(result).succeeded().errIsEmpty();
        assertThat(result.out()).startsWith("== mock/a ==\nanswer of a\n").contains("== mock/f ==\nanswer of f\n");
        assertThat(server.models()).containsExactlyInAnyOrder("a", "b", "c", "d", "e", "f");
        assertThat(server.most()).as("calls in flight at once, at most").isEqualTo(LIMIT);
    }

    /**
     * Counts the requests in flight, from arrival until the answer is handed over. Each one is held until the other
     * of its pair (arrivals 1-2, 3-4, 5-6) has arrived: under the limit, both slots are taken, so a limit that were
     * not kept would show as more than two at once, and one that allowed fewer than two as a count of one. The
     * client frees a slot only after reading the answer, so the server's count can never run ahead of the engine's.
     */
    private static final class InFlight extends Dispatcher {
        private final List<String> models = new ArrayList<>();
        private int arrived;
        private int inFlight;
        private int most;

        @Override
        public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
            String model;
            try {
                JsonNode body = JSON.readTree(request.getBody().readUtf8());
                model = body.get("model").asText();
            } catch (IOException e) {
                return new MockResponse().setResponseCode(400);
            }
            synchronized (this) {
                models.add(model);
                int pairComplete = (++arrived + LIMIT - 1) / LIMIT * LIMIT;
                most = Math.max(most, ++inFlight);
                notifyAll();
                // a bound for a lost pair (a limit of one): the count then shows it; no answer waits on time otherwise
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (arrived < pairComplete && System.nanoTime() < deadline) {
                    wait(1000);
                }
                inFlight--;
            }
            return OpenAiAnswers.streamed("answer of " + model, 3, 2);
        }

        synchronized List<String> models() {
            return List.copyOf(models);
        }

        synchronized int most() {
            return most;
        }
    }
}
