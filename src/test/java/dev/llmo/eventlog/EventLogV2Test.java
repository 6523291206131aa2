package dev.llmo.eventlog;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmo.eventlog.VerifyReport.Kind;
import dev.llmo.message.Part;
import dev.llmo.message.Role;
import dev.llmo.message.Usage;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Version 2: events of parts, their content beside the hash, removable without breaking the chain. */
class EventLogV2Test {
    /** An answer with one part of every kind, in the order a model may send them. */
    static final List<Part> EVERY_PART = List.of(
            new Part.Reasoning("First, think. " + LogFixtures.NASTY, "EqQBCgIYAhIM1gbcDa9GJwZA", false),
            new Part.Reasoning("", "opaque-redacted-thinking", true),
            new Part.Text("The answer, "),
            new Part.Citation("https://example.org/a?b=c", "A source", "the passage cited"),
            new Part.Citation("https://example.org/b", null, null),
            new Part.Text("continued."),
            new Part.ToolCall("call_1", "get_weather", "{\"city\":\"Paris\"}"),
            new Part.ToolResult("call_1", "18 °C", false),
            new Part.Attachment("image/png", "a".repeat(64), "chart.png"),
            new Part.Refusal("I can't help with that part."));

    @TempDir
    Path dir;
    private final ObjectMapper mapper = new ObjectMapper();

    private Path conversation() {
        try (EventLog log = EventLog.create(dir, new EventData.SessionStart("run --parallel", RunMode.PARALLEL,
                List.of("a/x", "b/y"), null, "test"))) {
            Event user = log.append(new EventData.Message(Role.USER, List.of(new Part.Text("Weather?"),
                    new Part.Attachment("text/plain", "b".repeat(64), null))));
            Event request = log.append(new EventData.Request("a/x", Map.of(), Sha256.of("body"), 4,
                    EventData.SeqRange.of(List.of(user.seq()))));
            log.append(new EventData.Response(request.seq(), "a/x", EVERY_PART, "tool_call",
                    new Usage(1200, 300, 120, 1000, 100), 7L, 900, 80L, true));
            log.append(new EventData.SessionEnd("ok", 0, 7));
            return log.file();
        }
    }

    @Test
    void everyPartModeAndUsageKindComesBackAsWritten() throws Exception {
        List<EventData> events = EventCodec.decodeAll(EventLog.read(conversation()));
        assertThat(events.get(0)).isEqualTo(new EventData.SessionStart("run --parallel", RunMode.PARALLEL,
                List.of("a/x", "b/y"), null, "test"));
        assertThat(((EventData.Message) events.get(1)).parts()).containsExactly(new Part.Text("Weather?"),
                new Part.Attachment("text/plain", "b".repeat(64), null));
        EventData.Response response = (EventData.Response) events.get(3);
        assertThat(response.parts()).containsExactlyElementsOf(EVERY_PART);
        assertThat(response.usage()).isEqualTo(new Usage(1200, 300, 120, 1000, 100));
        assertThat(response.text()).isEqualTo("The answer, continued.");
    }

    @Test
    void theContentIsBesideTheHashAndEveryChangeToItIsFound() throws Exception {
        Path file = conversation();
        assertThat(ChainVerifier.verify(file).ok()).isTrue();
        assertThat(PythonVerifier.run(dir, file).output()).isEqualTo("ok 5 events");

        List<String> lines = LogFixtures.lines(file);
        String original = lines.get(3);
        lines.set(3, original.replace("18 °C", "19 °C"));
        LogFixtures.writeLines(file, lines);
        VerifyReport report = ChainVerifier.verify(file);
        assertThat(report.problem().line()).isEqualTo(4);
        assertThat(report.problem().kind()).isEqualTo(Kind.EDITED);
        assertThat(report.problem().detail()).contains("does not match its digest");
        assertThat(PythonVerifier.run(dir, file).output()).isEqualTo("line 4: bad content");

        // content that no part names is not a place to hide things either
        ObjectNode line = (ObjectNode) mapper.readTree(original);
        ((ObjectNode) line.get("content")).putObject(Sha256.of("x")).put("text", "smuggled");
        lines.set(3, mapper.writeValueAsString(line));
        LogFixtures.writeLines(file, lines);
        assertThat(ChainVerifier.verify(file).problem().detail()).contains("which no part of the event names");
        assertThat(PythonVerifier.run(dir, file).output()).isEqualTo("line 4: bad content");
    }

    @Test
    void contentRemovedLaterLeavesTheChainWholeAndThePartEmpty() throws Exception {
        Path file = conversation();
        List<String> lines = LogFixtures.lines(file);
        ObjectNode line = (ObjectNode) mapper.readTree(lines.get(3));
        String toolCall = line.at("/data/parts/6/content_sha256").asText();
        String reasoning = line.at("/data/parts/0/content_sha256").asText();
        ((ObjectNode) line.get("content")).remove(List.of(toolCall, reasoning));
        lines.set(3, mapper.writeValueAsString(line)); // another key order and layout: verified by the slow path
        LogFixtures.writeLines(file, lines);

        assertThat(ChainVerifier.verify(file).ok()).isTrue();
        assertThat(PythonVerifier.run(dir, file).output()).isEqualTo("ok 5 events, 2 parts without content "
                + "(redacted)");
        EventData.Response response = (EventData.Response) EventCodec.decode(EventLog.read(file).get(3));
        assertThat(response.parts().get(0)).isEqualTo(new Part.Reasoning("", null, false));
        assertThat(response.parts().get(6)).isEqualTo(new Part.ToolCall("call_1", "get_weather", ""));
        assertThat(response.parts().get(2)).isEqualTo(EVERY_PART.get(2));
    }

    @Test
    void equalContentsGetDifferentDigestsSoARemovedOneCannotBeGuessed() throws Exception {
        Path file;
        try (EventLog log = EventLog.create(dir, new EventData.SessionStart("chat", RunMode.CHAT, List.of("a/x"),
                null, "test"))) {
            log.append(EventData.Message.user("yes"));
            log.append(EventData.Message.user("yes"));
            file = log.file();
        }
        List<Event> events = EventLog.read(file);
        String first = events.get(1).data().at("/parts/0/content_sha256").asText();
        String second = events.get(2).data().at("/parts/0/content_sha256").asText();
        assertThat(first).isNotEqualTo(second);
        assertThat(first).isNotEqualTo(Sha256.of(CanonicalJson.write(mapper.createObjectNode().put("text", "yes"))));
    }
}
