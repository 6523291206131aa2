package dev.llmo.cli;

import static dev.llmo.cli.CliRunAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmo.MockServers;
import dev.llmo.OpenAiAnswers;
import dev.llmo.eventlog.Event;
import dev.llmo.eventlog.EventData;
import dev.llmo.eventlog.EventLog;
import dev.llmo.eventlog.Sha256;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A call whose price is unknown (a model without pricing) shows as unknown, never as $0.00, in every view. */
class UnknownPriceDisplayTest {
    @TempDir
    Path home;

    private Path conversations() {
        return home.resolve("llmo/conversations");
    }

    /** A conversation with one answer of known price (48 micro-USD) and one of unknown price. */
    private Path mixed() {
        try (EventLog log = EventLog.create(conversations(), new EventData.SessionStart("run --parallel", dev.llmo.eventlog.RunMode.PARALLEL,
                List.of("openai/gpt-4o-mini", "local/unpriced"), Sha256.of("config"), "0.1.0"))) {
            Event user = log.append(EventData.Message.user("price me"));
            for (String model : List.of("openai/gpt-4o-mini", "local/unpriced")) {
                Event request = log.append(new EventData.Request(model, Map.of(), Sha256.of(model), 4,
                        EventData.SeqRange.of(List.of(user.seq()))));
                log.append(new EventData.Response(request.seq(), model, "ok", "end", dev.llmo.message.Usage.of(12, 5),
                        model.startsWith("openai") ? 48L : null, 10, null, true));
            }
            log.append(new EventData.SessionEnd("ok", 0, 48));
            return log.file();
        }
    }

    private static String id(Path file) {
        return file.getFileName().toString().replace(".jsonl", "");
    }

    @Test
    void aTotalWithAnUnknownPartSaysSoInListShowAndExport() throws Exception {
        Path file = mixed();

        CliRun.Result list = CliRun.in(home).run("log", "list");
        assertThat(list.out()).contains("$0.000048 + 1 unknown");
        CliRun.Result show = CliRun.in(home).run("log", "show", id(file));
        assertThat(show.out()).contains("cost     $0.000048 + 1 unknown", "[end · 12 in / 5 out tokens · $0.000048 · ",
                "[end · 12 in / 5 out tokens · cost unknown · ");
        CliRun.Result markdown = CliRun.in(home).run("log", "export", id(file));
        assertThat(markdown.out()).contains("- cost: $0.000048 + 1 unknown");
        JsonNode json = new ObjectMapper().readTree(CliRun.in(home).run("log", "export", id(file), "--format", "json")
                .out());
        assertThat(json.get("cost_micro_usd").asLong()).isEqualTo(48);
        assertThat(json.get("unknown_price_calls").asLong()).isEqualTo(1);
        JsonNode row = new ObjectMapper().readTree(CliRun.in(home).run("log", "list", "--json").out());
        assertThat(row.get("unknown_price_calls").asLong()).isEqualTo(1);

        CliRun.Result cost = CliRun.in(home).run("cost");
        assertThat(cost.out()).as("llmo cost says it the same way").contains("$0.000048 + 1 unknown");
    }

    @Test
    void aRunOfAModelWithoutPricingIsUnknownNotZero() throws Exception {
        MockWebServer server = MockServers.create();
        server.start();
        try {
            Path dir = Files.createDirectories(home.resolve("llmo"));
            Files.writeString(dir.resolve("models.yaml"), "mock:\n  type: openai\n  base_url: " + server.url("/v1")
                    + "\n  models: [unpriced]\n");
            Files.writeString(dir.resolve("config.yaml"), "main_llm: mock/unpriced\n");
            server.enqueue(OpenAiAnswers.streamed("hello", 12, 5));
            CliRun.Result run = CliRun.in(home).run("run", "-u", "hi");
            assertThat(run).succeeded().errContains("cost unknown");
        } finally {
            server.shutdown();
        }

        CliRun.Result list = CliRun.in(home).run("log", "list");
        assertThat(list.out().lines().skip(1).findFirst().orElseThrow()).contains(" unknown ").doesNotContain("$0");
        String id = list.out().lines().skip(1).findFirst().orElseThrow().split(" ")[0];
        CliRun.Result show = CliRun.in(home).run("log", "show", id);
        assertThat(show.out()).contains("cost     unknown", "· cost unknown ·").doesNotContain("$0.00");
        JsonNode row = new ObjectMapper().readTree(CliRun.in(home).run("log", "list", "--json").out());
        assertThat(row.get("cost_micro_usd").isNull()).isTrue();
        CliRun.Result cost = CliRun.in(home).run("cost");
        assertThat(cost.out()).contains("unknown").doesNotContain("$0.00");
    }
}
