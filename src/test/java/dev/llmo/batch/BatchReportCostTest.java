package dev.llmo.batch;

import static dev.llmo.cli.CliRunAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmo.cli.LlmoFixture;
import dev.llmo.failure.ExitCode;
import java.nio.file.Files;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code llmo batch report} never shows a cost it does not know as $0: a model without a price is "unknown", while a
 * call that failed before the provider reported usage costs nothing known to be billed.
 */
class BatchReportCostTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final LlmoFixture llmo = LlmoFixture.create().openAiServer().mockProvider("""
            models:
              - { name: priced, max_output_tokens: 100, pricing: { input_per_mtok: 1, output_per_mtok: 2 } }
              - { name: unpriced, max_output_tokens: 100 }
            """);

    @Test
    void anUnpricedModelsCostIsUnknownNotZero() throws Exception {
        llmo.server().setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                String body = request.getBody().readUtf8();
                if (body.contains("unpriced") && body.contains("Q2")) {
                    return new MockResponse().setResponseCode(400)
                            .setBody("{\"error\":{\"message\":\"bad row\",\"type\":\"invalid_request_error\"}}");
                }
                return new MockResponse().setHeader("content-type", "application/json").setBody("""
                        {"id":"c","object":"chat.completion","model":"m","choices":[{"index":0,"message":{"role":\
                        "assistant","content":"an answer"},"finish_reason":"stop"}],"usage":{"prompt_tokens":10,\
                        "completion_tokens":5,"total_tokens":15}}""");
            }
        });
        Files.writeString(llmo.home().resolve("q.jsonl"), "{\"q\":\"Q1\"}\n{\"q\":\"Q2\"}\n");

        assertThat(llmo.run("batch", "run", llmo.home().resolve("q.jsonl").toString(), "--prompt", "{{q}}",
                "-m", "mock/priced", "-m", "mock/unpriced", "--assert", "contains answer")).failedWith(ExitCode.FAILURE);

        assertThat(llmo.run("batch", "report", "last")).succeeded()
                .outContains("$0.00004\n", "$0.00 + 1 unknown\n");
        // 2 priced answers at $0.00002 each, 1 unpriced answer; the failed call is not billed
        assertThat(llmo.run("batch", "list")).succeeded().outContains("$0.00004 + 1 unknown");
        assertThat(llmo.run("batch", "show", "last")).succeeded().outContains("cost:     $0.00004 + 1 unknown");
        JsonNode json = JSON.readTree(llmo.run("batch", "report", "last", "--json").out());
        assertThat(json.at("/models/0/unknown_price_calls").asInt()).isZero();
        assertThat(json.at("/models/1/unknown_price_calls").asInt()).as("the failed call reported no usage").isOne();
    }
}
