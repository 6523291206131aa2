package dev.llmo.cli;

import static dev.llmo.cli.CliRunAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.llmo.eventlog.Event;
import dev.llmo.eventlog.EventData;
import dev.llmo.eventlog.EventLog;
import dev.llmo.eventlog.RunMode;
import dev.llmo.eventlog.Sha256;
import dev.llmo.message.Part;
import dev.llmo.message.Usage;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code log show} and {@code log export} show every part of a version 2 answer, not only its text. */
class LogShowPartsTest {
    @TempDir
    Path home;

    private String conversation() {
        try (EventLog log = EventLog.create(home.resolve("llmo/conversations"), new EventData.SessionStart("run",
                RunMode.SINGLE, List.of("a/x"), null, "test"))) {
            Event user = log.append(EventData.Message.user("Weather in Paris?"));
            Event request = log.append(new EventData.Request("a/x", Map.of(), Sha256.of("body"), 4,
                    EventData.SeqRange.of(List.of(user.seq()))));
            log.append(new EventData.Response(request.seq(), "a/x", List.of(
                    new Part.Reasoning("The user wants weather.", "sig", false),
                    new Part.Text("It is mild"),
                    new Part.Citation("https://example.org/paris", "Paris weather", "18 °C today"),
                    new Part.Text(" today."),
                    new Part.ToolCall("call_1", "get_weather", "{\"city\":\"Paris\"}"),
                    new Part.Refusal("No forecast beyond today.")), "tool_call",
                    new Usage(1200, 300, 120, 1000, 0), 7L, 900, 80L, true));
            return log.id();
        }
    }

    @Test
    void showPrintsReasoningRefusalToolCallsAndCitations() {
        String id = conversation();
        CliRun.Result show = CliRun.in(home).run("log", "show", id);
        assertThat(show).succeeded();
        assertThat(show.out()).contains("── assistant (a/x) ──\n"
                + "[reasoning] The user wants weather.\n"
                + "It is mild today.\n"
                + "[tool call call_1] get_weather {\"city\":\"Paris\"}\n"
                + "[refused] No forecast beyond today.\n"
                + "[1] https://example.org/paris Paris weather: \"18 °C today\"\n"
                + "[tool_call · 1200 in (1000 cached) / 300 out (120 reasoning) tokens · $0.000007 · 900 ms]\n");
    }

    @Test
    void markdownExportHasEveryPart() {
        String id = conversation();
        CliRun.Result export = CliRun.in(home).run("log", "export", id);
        assertThat(export).succeeded();
        assertThat(export.out()).contains("> **Reasoning:** The user wants weather.", "It is mild today.",
                "Tool call `call_1`: `get_weather` `{\"city\":\"Paris\"}`", "**Refused:** No forecast beyond today.",
                "1. <https://example.org/paris> Paris weather: \"18 °C today\"");
    }
}
