package dev.llmo.cli;

import static dev.llmo.OpenAiAnswers.streamed;
import static dev.llmo.cli.CliRunAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.llmo.cli.CliRun.Result;
import dev.llmo.eventlog.ChainVerifier;
import dev.llmo.failure.ExitCode;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A command that sent nothing (no request left the machine: no key, refused by a budget, connection refused)
 * leaves no conversation file; one that did send leaves exactly one.
 */
class NothingSentTest {
    @RegisterExtension
    final LlmoFixture llmo = LlmoFixture.create().failFast()
            .mockProvider("""
                    models:
                      - name: m1
                        max_output_tokens: 100
                        pricing: { input_per_mtok: 0.15, output_per_mtok: 0.60 }
                    """)
            .configYaml("main_llm: mock/m1\n");

    @Test
    void noKeyLeavesNoConversation() throws Exception {
        CliRun noKey = llmo.cli().env("MOCK_API_KEY", null);

        assertThat(noKey.run("run", "hello")).failedWith(ExitCode.CREDENTIALS);
        assertThat(noKey.run("run", "--json", "-m", "mock/m1", "-m", "mock", "hello")).failedWith(ExitCode.CREDENTIALS);
        assertThat(noKey.stdin("hello\n").run("chat")).failedWith(ExitCode.CREDENTIALS);
        assertThat(noKey.run("chain", "run", "code_review", "--json", "x")).failedWith(ExitCode.CREDENTIALS);

        assertThat(llmo.logs()).isEmpty();
        assertThat(llmo.server().getRequestCount()).isZero();
    }

    @Test
    void theJsonLinesOfMultiModelRunsAndChainsNameNoConversationWhenNoneWasLeft() throws Exception {
        CliRun noKey = llmo.cli().env("MOCK_API_KEY", null);

        Result parallel = noKey.run("run", "--json", "-m", "mock/m1", "-m", "mock", "hello");
        Result pipeline = noKey.run("run", "--json", "--sequential", "-m", "mock/m1", "-m", "mock", "hello");
        Result chain = noKey.run("chain", "run", "code_review", "--json", "x");

        assertThat(llmo.logs()).isEmpty();
        // a chain checks every step's key before its first call: it has no call to print a line for
        assertThat(chain).failedWith(ExitCode.CREDENTIALS).outIsEmpty()
                .errContains("chain 'code_review', step 'GenerateCode' uses gemini/gemini-2.5-flash, but there is no API key");
        for (Result run : List.of(parallel, pipeline)) {
            assertThat(run).failedWith(ExitCode.CREDENTIALS);
            List<String> lines = run.out().lines().toList();
            assertThat(lines).isNotEmpty();
            // as one model's run --json: the id of a file that does not exist is never printed
            assertThat(lines).allSatisfy(line -> assertThat(line).contains("\"conversation\":null"));
        }
        assertThat(parallel.out().lines()).hasSize(2);
    }

    @Test
    void aCallThatSentNothingNamesTheConversationAnotherCallOfTheRunKept() throws Exception {
        Files.writeString(llmo.dir().resolve("models.yaml"), """
                mock:
                  type: openai
                  base_url: %s
                  api_key_name: MOCK_API_KEY
                  models: [{ name: m1 }]
                nokey:
                  type: openai
                  base_url: %s
                  api_key_name: NOKEY_API_KEY
                  models: [{ name: m1 }]
                """.formatted(llmo.server().url("/v1"), llmo.server().url("/v1")));
        // the call that sends answers after the one without a key has ended
        llmo.server().enqueue(streamed("hi").setBodyDelay(300, java.util.concurrent.TimeUnit.MILLISECONDS));

        Result run = llmo.run("run", "--json", "-m", "nokey/m1", "-m", "mock/m1", "hello");

        assertThat(run).failedWith(ExitCode.CREDENTIALS);
        assertThat(llmo.logs()).hasSize(1);
        String id = llmo.logs().get(0).getFileName().toString().replace(".jsonl", "");
        assertThat(run.out().lines()).hasSize(2)
                .allSatisfy(line -> assertThat(line).contains("\"conversation\":\"" + id + "\""));
    }

    @Test
    void aBudgetRefusalLeavesNoConversation() throws Exception {
        llmo.configYaml("main_llm: mock/m1\nbudget: { daily_usd: 0.000001 }\n");

        Result run = llmo.run("run", "hello");
        Result json = llmo.run("run", "--json", "hello");
        Result maxCost = llmo.run("run", "--max-cost", "0.000001", "hello");
        Result chat = llmo.cli().stdin("hello\n").run("chat");

        assertThat(run).failedWith(ExitCode.BUDGET);
        assertThat(json).failedWith(ExitCode.BUDGET);
        // the JSON line names no conversation: there is none
        assertThat(json.out()).contains("\"conversation\":null");
        assertThat(maxCost).failedWith(ExitCode.BUDGET);
        assertThat(chat).failedWith(ExitCode.BUDGET);
        assertThat(llmo.logs()).isEmpty();
        assertThat(llmo.server().getRequestCount()).isZero();
    }

    @Test
    void anOptionTheWireFormatCannotTakeIsAUsageErrorBeforeAnythingIsSent() throws Exception {
        Result budget = llmo.run("run", "-o", "reasoning_budget=2000", "hello");
        Result both = llmo.run("run", "-o", "reasoning_effort=low", "-o", "reasoning_budget=2000", "hello");

        assertThat(budget).failedWith(ExitCode.USAGE);
        assertThat(budget.err().lines().toList()).containsExactly("llmo: error: option 'reasoning_budget' cannot be "
                + "sent to mock/m1: the openai format takes an effort level, not a token budget; use -o "
                + "reasoning_effort=low|medium|high instead");
        assertThat(both).failedWith(ExitCode.USAGE)
                .errContains("options reasoning_effort and reasoning_budget both set the reasoning");
        Result notANumber = llmo.run("run", "-o", "max_tokens=abc", "hello");
        Result dryRun = llmo.run("run", "--dry-run", "-o", "max_tokens=-5000", "hello");
        assertThat(notANumber).failedWith(ExitCode.USAGE).errIs("llmo: error: option max_tokens is 'abc', but it takes "
                + "a whole number of tokens above 0; e.g. -o max_tokens=1000\n");
        assertThat(dryRun).as("a dry run refuses what the run would").failedWith(ExitCode.USAGE)
                .errContains("option max_tokens is -5000, but it takes a whole number of tokens above 0");
        assertThat(llmo.logs()).isEmpty();
        assertThat(llmo.server().getRequestCount()).isZero();
    }

    @Test
    void aConnectionRefusedLeavesNoConversation() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        llmo.modelsYaml("""
                mock:
                  type: openai
                  base_url: http://127.0.0.1:%d/v1
                  api_key_name: MOCK_API_KEY
                  models:
                    - name: m1
                      max_output_tokens: 100
                      pricing: { input_per_mtok: 0.15, output_per_mtok: 0.60 }
                """.formatted(closedPort));

        Result run = llmo.run("run", "hello");
        Result chat = llmo.cli().stdin("hello\nagain\n").run("chat");

        assertThat(run).failedWith(ExitCode.FAILURE).errContains("connection refused");
        assertThat(chat).failedWith(ExitCode.FAILURE);
        assertThat(llmo.logs()).isEmpty();
    }

    @Test
    void aRequestThatWasSentLeavesOneVerifiableConversation() throws Exception {
        llmo.server().enqueue(streamed("Hi.", 3, 2));
        llmo.server().enqueue(new okhttp3.mockwebserver.MockResponse().setResponseCode(500)
                .setBody("{\"error\":{\"message\":\"boom\"}}"));

        assertThat(llmo.run("run", "hello")).succeeded();
        assertThat(llmo.run("run", "hello")).failedWith(ExitCode.FAILURE); // it reached the server: it is kept

        assertThat(llmo.logs()).hasSize(2);
        for (Path file : llmo.logs()) {
            assertThat(ChainVerifier.verify(file).ok()).isTrue();
        }
        assertThat(llmo.run("log", "list").out().lines().count()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void aContinuedConversationIsNeverRemoved() throws Exception {
        llmo.server().enqueue(streamed("Hi.", 3, 2));
        assertThat(llmo.run("run", "hello")).succeeded();

        Result noKey = llmo.cli().env("MOCK_API_KEY", null).run("run", "-c", "more");

        assertThat(noKey).failedWith(ExitCode.CREDENTIALS);
        assertThat(llmo.logs()).hasSize(1);
        assertThat(ChainVerifier.verify(llmo.logs().get(0)).ok()).isTrue();
    }
}
