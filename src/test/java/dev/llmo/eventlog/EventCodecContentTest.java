package dev.llmo.eventlog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmo.message.Part;
import dev.llmo.message.Role;
import dev.llmo.message.Usage;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The canonical bytes of an event's {@code content} are assembled from the bytes each entry's digest was taken of,
 * not written again from the tree: they must be exactly what {@link CanonicalJson#write} makes of the tree.
 */
class EventCodecContentTest {
    private static final String LONG = "plain ascii, \"quoted\"\\ and\nlines\t, caf\u00e9 \u4e2d\u6587 \uD83D\uDE00 \u0001"
            .repeat(300); // over CanonicalJson's long-string threshold, with every kind of escape and UTF-8 length

    @Test
    void theContentBytesAreTheTreesCanonicalBytes() {
        Random random = new Random(7);
        List<Part> parts = List.of(new Part.Text(LONG), new Part.Reasoning("think " + LONG, "sig", false),
                new Part.Reasoning("", "opaque", true), new Part.Refusal("no"),
                new Part.ToolCall("call_1", "get", "{\"a\":1}"), new Part.Citation("https://e.org", "E", "cited"),
                new Part.Text("short"), new Part.Text(""));
        for (EventData event : List.of(new EventData.Message(Role.USER, parts),
                new EventData.Response(3, "m", parts, "end", Usage.of(1, 2), 5L, 10, 4L, true),
                new EventData.ToolResult(4, "get", new Part.ToolResult("call_1", LONG, false), 12))) {
            EventCodec.Encoded encoded = EventCodec.encode(event, random);
            assertThat(encoded.content().size()).isPositive();
            assertThat(new String(encoded.canonicalContent(), java.nio.charset.StandardCharsets.UTF_8))
                    .isEqualTo(new String(CanonicalJson.write(encoded.content()), java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    @Test
    void anEventWithoutPartsHasNoContentBytes() {
        EventCodec.Encoded encoded = EventCodec.encode(new EventData.SessionStart("run", RunMode.SINGLE,
                List.of("a/b"), Sha256.of("x"), "1"), new Random(1));
        assertThat(encoded.content().isEmpty()).isTrue();
        assertThat(encoded.canonicalContent()).isNull();
    }
}
