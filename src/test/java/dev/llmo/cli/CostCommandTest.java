package dev.llmo.cli;

import static dev.llmo.cli.CliRunAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmo.cost.SpendLogs;
import dev.llmo.failure.ExitCode;
import dev.llmo.message.Usage;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CostCommandTest {
    private static final Instant NOV_20 = Instant.parse("2026-11-20T10:00:00Z");
    private static final Instant NOV_21 = Instant.parse("2026-11-21T23:30:00Z");

    @TempDir
    Path home;

    private Path conversations;

    @BeforeEach
    void setUp() {
        conversations = home.resolve("llmo/conversations");
    }

    private CliRun.Result llmo(String... args) {
        return CliRun.in(home).env("TZ", "UTC").run(args);
    }

    private void threeDaysOfCalls() {
        SpendLogs.conversation(conversations, NOV_20, "openai/gpt-4o-mini", 1_000, 200, 270L, 270L);
        SpendLogs.conversation(conversations, NOV_21, "anthropic/claude-sonnet-4-5",
                new Usage(2_000, 500, 120, 1_500, 300), 13_500L);
        SpendLogs.conversation(conversations, NOV_21, "ollama/llama3.2", 300, 100, null, null);
        SpendLogs.conversation(conversations, NOV_21.plusSeconds(3600), "openai/gpt-4o-mini", 10, 10, 1_000_000L);
    }

    @Test
    void tableByModelWithTotalAndUnknownPrices() {
        threeDaysOfCalls();
        CliRun.Result result = llmo("cost");
        assertThat(result).succeeded();
        assertThat(result.out().lines().toList()).containsExactly(
                "MODEL                        CALLS  INPUT TOKENS  CACHE READ  CACHE WRITE  OUTPUT TOKENS  REASONING"
                        + "                   USD",
                "anthropic/claude-sonnet-4-5      1         2,000       1,500          300            500        120"
                        + "               $0.0135",
                "ollama/llama3.2                  2           600           0            0            200          0"
                        + "               unknown",
                "openai/gpt-4o-mini               3         2,010           0            0            410          0"
                        + "              $1.00054",
                "TOTAL                            6         4,610       1,500          300          1,110        120"
                        + "  $1.01404 + 2 unknown");
        assertThat(result.err()).isEmpty();
    }

    /** On a narrow terminal the parts of the input and output go first, then the calls; the money never. */
    @Test
    void onANarrowTerminalTheTableFitsAndSaysWhatItLeftOut() {
        threeDaysOfCalls();
        CliRun.Result narrow = CliRun.in(home).env("TZ", "UTC").tty("o").env("COLUMNS", "85").env("NO_COLOR", "1")
                .run("cost");

        assertThat(narrow).succeeded();
        assertThat(narrow.out().lines().toList()).containsExactly(
                "MODEL                        CALLS  INPUT TOKENS  OUTPUT TOKENS                   USD",
                "anthropic/claude-sonnet-4-5      1         2,000            500               $0.0135",
                "ollama/llama3.2                  2           600            200               unknown",
                "openai/gpt-4o-mini               3         2,010            410              $1.00054",
                "TOTAL                            6         4,610          1,110  $1.01404 + 2 unknown");
        assertThat(narrow.err()).isEqualTo("llmo: note: left out to fit the terminal: CACHE WRITE, CACHE READ, "
                + "REASONING (llmo cost --json has every field)\n");
    }

    @Test
    void byDayInTheLocalZone() {
        threeDaysOfCalls();
        assertThat(llmo("cost", "--by", "day").out().lines().toList()).containsExactly(
                "DAY         CALLS  INPUT TOKENS  CACHE READ  CACHE WRITE  OUTPUT TOKENS  REASONING                   USD",
                "2026-11-20      2         2,000           0            0            400          0              $0.00054",
                "2026-11-21      3         2,600       1,500          300            700        120   $0.0135 + 2 unknown",
                "2026-11-22      1            10           0            0             10          0                 $1.00",
                "TOTAL           6         4,610       1,500          300          1,110        120  $1.01404 + 2 unknown");
        // 23:30 UTC on the 21st is already the 22nd in Tokyo; 00:30 UTC on the 22nd too
        List<String> tokyo = CliRun.in(home).env("TZ", "Asia/Tokyo").run("cost", "--by", "day").out().lines().toList();
        assertThat(tokyo.get(2)).startsWith("2026-11-22      4");
    }

    @Test
    void sinceKeepsThatDayAndLater() throws Exception {
        threeDaysOfCalls();
        CliRun.Result result = llmo("cost", "--since", "2026-11-21", "--json");
        JsonNode json = new ObjectMapper().readTree(result.out());
        assertThat(json.get("calls").asLong()).isEqualTo(4);
        assertThat(json.get("total_usd").decimalValue()).isEqualByComparingTo("1.0135");
    }

    /** The same --since as log list's: the calls were made in November 2026, so a minute ago keeps none of them. */
    @Test
    void sinceTakesATimeAgoAsLogListDoes() throws Exception {
        threeDaysOfCalls();
        JsonNode all = new ObjectMapper().readTree(llmo("cost", "--since", "5200w", "--json").out());
        JsonNode none = new ObjectMapper().readTree(llmo("cost", "--since", "1m", "--json").out());
        assertThat(all.get("calls").asLong()).isEqualTo(6);
        assertThat(none.get("calls").asLong()).isZero();
    }

    @Test
    void jsonHasTotalAndRows() throws Exception {
        threeDaysOfCalls();
        CliRun.Result result = llmo("cost", "--json");
        assertThat(result).succeeded();
        assertThat(result.out().lines().count()).isEqualTo(1);
        JsonNode json = new ObjectMapper().readTree(result.out());
        assertThat(json.get("total_usd").decimalValue()).isEqualByComparingTo("1.01404");
        assertThat(json.get("unknown_price_calls").asLong()).isEqualTo(2);
        assertThat(json.get("by").asText()).isEqualTo("model");
        JsonNode rows = json.get("rows");
        assertThat(rows).hasSize(3);
        assertThat(rows.get(1).toString()).isEqualTo("{\"model\":\"ollama/llama3.2\",\"calls\":2,\"input_tokens\":600,"
                + "\"cache_read_tokens\":0,\"cache_write_tokens\":0,\"output_tokens\":200,\"reasoning_tokens\":0,"
                + "\"usd\":null,\"unknown_price_calls\":2}");
        assertThat(rows.get(0).get("cache_read_tokens").asLong()).isEqualTo(1_500);
        assertThat(json.get("cache_write_tokens").asLong()).isEqualTo(300);
        assertThat(json.get("reasoning_tokens").asLong()).isEqualTo(120);
        assertThat(rows.get(2).get("usd").decimalValue()).isEqualByComparingTo("1.00054");
        assertThat(rows.get(2).get("usd").isNumber()).isTrue();

        JsonNode days = new ObjectMapper().readTree(llmo("cost", "--by", "day", "--json").out()).get("rows");
        assertThat(days.get(0).get("day").asText()).isEqualTo("2026-11-20");
    }

    @Test
    void noConversationsIsZeroNotAnError() throws Exception {
        CliRun.Result result = llmo("cost");
        assertThat(result).succeeded().outContains("TOTAL", "$0.00");
        assertThat(result.err()).startsWith("llmo: no model calls recorded in ");
        JsonNode json = new ObjectMapper().readTree(llmo("cost", "--json").out());
        assertThat(json.get("total_usd").decimalValue()).isEqualByComparingTo("0");
        assertThat(json.get("rows")).isEmpty();
    }

    @Test
    void aBadSinceIsAUsageErrorShowingTheFormat() {
        CliRun.Result result = llmo("cost", "--since", "yesterday");
        assertThat(result).failedWith(ExitCode.USAGE).outIsEmpty();
        assertThat(result.err()).isEqualTo("llmo: error: --since must be a time ago (30m, 12h, 2d, 1w) or a date "
                + "(2026-11-01), not 'yesterday'; e.g. llmo cost --since 7d\n");
        assertThat(llmo("cost", "--since", "2026-13-01")).failedWith(ExitCode.USAGE);
    }

    @Test
    void aBadGroupingIsAUsageError() {
        CliRun.Result result = llmo("cost", "--by", "week");
        assertThat(result).failedWith(ExitCode.USAGE).errContains("week");
    }
}
