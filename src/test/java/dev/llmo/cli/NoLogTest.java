package dev.llmo.cli;

import static dev.llmo.OpenAiAnswers.streamed;
import static dev.llmo.cli.CliRunAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.llmo.cost.UnloggedSpend;
import dev.llmo.failure.ExitCode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code --no-log}: no conversation is written and no id shown, but the spend still counts against the budget. */
class NoLogTest {
    @RegisterExtension
    final LlmoFixture llmo = LlmoFixture.create().openAiServer()
            .mockProvider("""
                    models:
                      - name: m1
                        max_output_tokens: 10
                        pricing: { input_per_mtok: 10, output_per_mtok: 10 }
                    """)
            .configYaml("main_llm: mock/m1\n");

    private Path spendFile() {
        return llmo.dir().resolve(UnloggedSpend.FILE_NAME);
    }

    @Test
    void aRunWritesNoConversationAndShowsNoIdButRecordsItsSpend() throws Exception {
        llmo.server().enqueue(streamed("Hello", 40, 10));

        CliRun.Result result = llmo.run("run", "--no-log", "--json", "hi");

        assertThat(result).succeeded().outContains("\"text\":\"Hello\"", "\"conversation\":null");
        assertThat(llmo.conversations()).doesNotExist();
        String spend = Files.readString(spendFile());
        assertThat(spend.lines()).hasSize(1);
        assertThat(spend).contains("\"model\":\"mock/m1\"", "\"input_tokens\":40", "\"output_tokens\":10",
                "\"cost_micro_usd\":500").doesNotContain("hi").doesNotContain("Hello");
        assertThat(llmo.run("cost", "--json")).succeeded().outContains("mock/m1");
        assertThat(llmo.run("log", "list")).succeeded().outDoesNotContain("mock/m1");
    }

    @Test
    void theDailyBudgetRefusesAfterNoLogSpending() {
        llmo.configYaml("main_llm: mock/m1\nbudget: { daily_usd: 0.001 }\n");
        llmo.server().enqueue(streamed("Spent it", 50, 50)); // 100 tokens at $10/Mtok: $0.001, the whole budget

        assertThat(llmo.run("run", "--no-log", "spend")).succeeded();
        CliRun.Result refused = llmo.run("run", "--no-log", "more");

        assertThat(refused).failedWith(ExitCode.BUDGET).errContains("daily budget");
        assertThat(llmo.server().getRequestCount()).isEqualTo(1);
        assertThat(llmo.run("run", "more")).as("and a logged run as well").failedWith(ExitCode.BUDGET);
        assertThat(llmo.conversations()).doesNotExist();
    }

    @Test
    void continuingIsRefusedWithNoLog() {
        assertThat(llmo.run("run", "--no-log", "-c", "more")).failedWith(ExitCode.USAGE)
                .errContains("--no-log and -c");
        assertThat(llmo.run("chat", "--no-log", "--cid", "x")).failedWith(ExitCode.USAGE)
                .errContains("--no-log and --cid");
    }

    @Test
    void aChatWritesNoConversationAndCannotBeSaved() throws Exception {
        llmo.server().enqueue(streamed("One", 5, 1));
        llmo.server().enqueue(streamed("Two", 8, 1));

        CliRun.Result result = llmo.cli().stdin("hi\n/save notes\nagain\n").run("chat", "--no-log");

        assertThat(result).outContains("One", "Two").errContains("/save works with logged conversations");
        assertThat(llmo.conversations()).doesNotExist();
        assertThat(Files.readString(spendFile()).lines()).hasSize(2);
        // the second turn was sent with the first one's history, kept in memory
        llmo.server().takeRequest();
        assertThat(llmo.server().takeRequest().getBody().readUtf8()).contains("\"One\"");
    }

    @Test
    void aChainRunWritesNoConversation() {
        llmo.configYaml("main_llm: mock/m1\nchains:\n  twice:\n    - \"First>/)-mock/m1\"\n"
                + "    - \"Second>/)-mock/m1\"\n");
        llmo.server().enqueue(streamed("a", 5, 1));
        llmo.server().enqueue(streamed("b", 5, 1));

        assertThat(llmo.run("chain", "run", "twice", "--no-log", "go")).succeeded().outContains("b");

        assertThat(llmo.conversations()).doesNotExist();
        assertThat(spendFile()).exists();
    }
}
