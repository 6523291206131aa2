package dev.llmo.provider;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmo.provider.http.SseEvent;
import dev.llmo.provider.http.SseParser;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SseParserTest {

    private static List<SseEvent> parse(String text, int chunkSize) {
        List<SseEvent> events = new ArrayList<>();
        SseParser parser = new SseParser(events::add);
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i += chunkSize) {
            parser.feed(bytes, i, Math.min(chunkSize, bytes.length - i));
        }
        parser.finish();
        return events;
    }

    private static List<String> data(String text, int chunkSize) {
        return parse(text, chunkSize).stream().map(SseEvent::data).toList();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 7, 1000})
    void linesEndAtLfCrOrCrlfEvenWhenSplitAcrossChunks(int chunkSize) {
        String stream = "data: one\n\ndata: two\r\rdata: three\r\n\r\ndata: four\n\n";
        assertThat(data(stream, chunkSize)).containsExactly("one", "two", "three", "four");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 5})
    void utf8CharactersSplitAcrossChunksSurvive(int chunkSize) {
        String stream = "data: ガイモ картофель 🥔\n\n";
        assertThat(data(stream, chunkSize)).containsExactly("ガイモ картофель 🥔");
    }

    @Test
    void lineSeparatorInsideJsonIsNotANewline() {
        assertThat(data("data: {\"t\":\"a\u2028b\"}\n\n", 3)).containsExactly("{\"t\":\"a\u2028b\"}");
    }

    @Test
    void commentsAreSkipped() {
        assertThat(data(": OPENROUTER PROCESSING\n\n: ping\ndata: x\n\n", 4)).containsExactly("x");
    }

    @Test
    void multiLineDataJoinsWithNewlines() {
        // the Stainless SDK test case
        String stream = "data: {\ndata: \"foo\":\ndata: \ndata:\ndata: true}\n\n";
        assertThat(data(stream, 1000)).containsExactly("{\n\"foo\":\n\n\ntrue}");
    }

    @Test
    void exactlyOneLeadingSpaceIsStripped() {
        assertThat(data("data:  two spaces\n\ndata:none\n\n", 1000)).containsExactly(" two spaces", "none");
    }

    @Test
    void eventNamesAndIdsAreKeptAndIdsPersist() {
        List<SseEvent> events = parse("event: message_start\nid: 7\ndata: a\n\nevent: ping\n\ndata: b\n\n", 5);
        assertThat(events).containsExactly(new SseEvent("message_start", "a", "7"), new SseEvent("ping", "", "7"),
                new SseEvent(null, "b", "7"));
    }

    @Test
    void pendingDataIsDispatchedAtEndOfInput() {
        // llama.cpp may send "data: [DONE]" without the final blank line
        assertThat(data("data: x\n\ndata: [DONE]", 1000)).containsExactly("x", "[DONE]");
        assertThat(data("data: y\n", 1000)).containsExactly("y");
    }

    @Test
    void llamaCppErrorFieldBecomesAnErrorEvent() {
        List<SseEvent> events = parse("error: {\"code\":400,\"message\":\"too long\"}\n\ndata: [DONE]\n\n", 1000);
        assertThat(events.get(0)).isEqualTo(new SseEvent("error", "{\"code\":400,\"message\":\"too long\"}", null));
        assertThat(events.get(1).data()).isEqualTo("[DONE]");
    }

    @Test
    void rawJsonWithoutDataFramingIsOneEvent() {
        // Gemini may send an error as raw JSON spread over lines
        String stream = "data: {\"a\":1}\n\n{\"error\": {\n  \"code\": 429,\n  \"message\": \"a } in text\"\n}}\n";
        assertThat(data(stream, 3)).containsExactly("{\"a\":1}",
                "{\"error\": {\n  \"code\": 429,\n  \"message\": \"a } in text\"\n}}");
    }

    @Test
    void blankLinesWithoutFieldsDispatchNothing() {
        assertThat(parse("\n\n\r\n: c\n\n", 1)).isEmpty();
    }

    /**
     * A line wholly inside one chunk is read from the chunk, one split across chunks from the parser's buffer: the
     * events must not depend on where the chunks end, nor on the limit being met by a line of either kind.
     */
    @Test
    void eventsDoNotDependOnWhereChunksEnd() {
        String stream = ": keep-alive\r\nevent: delta\ndata: {\"a\":\"ガイモ 🥔\"}\r\nid: 7\n\ndata: one\ndata:two\r\rretry: 5\n\n"
                + "data: [DONE]\n\nerror: {\"e\":1}\n\n{\"raw\":\n[1,2]}\ndata: " + "x".repeat(600) + "\n\ndata: tail";
        List<SseEvent> whole = parse(stream, Integer.MAX_VALUE);
        assertThat(whole).hasSize(8);
        java.util.Random random = new java.util.Random(15);
        for (int size = 1; size < 64; size++) {
            assertThat(parse(stream, size)).as("chunks of %d bytes", size).isEqualTo(whole);
        }
        byte[] bytes = stream.getBytes(StandardCharsets.UTF_8);
        for (int round = 0; round < 200; round++) {
            List<SseEvent> events = new ArrayList<>();
            SseParser parser = new SseParser(events::add);
            for (int i = 0; i < bytes.length; ) {
                int n = Math.min(bytes.length - i, 1 + random.nextInt(300));
                parser.feed(bytes, i, n);
                i += n;
            }
            parser.finish();
            assertThat(events).isEqualTo(whole);
        }
        for (int size : new int[] {1, 7, 1000}) {
            List<SseEvent> events = new ArrayList<>();
            SseParser limited = new SseParser(events::add, 599);
            byte[] big = ("data: ok\n\ndata: " + "x".repeat(600) + "\n\n").getBytes(StandardCharsets.UTF_8);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> {
                for (int i = 0; i < big.length; i += size) {
                    limited.feed(big, i, Math.min(size, big.length - i));
                }
            }).isInstanceOf(SseParser.TooLargeException.class);
            assertThat(events).extracting(SseEvent::data).containsExactly("ok");
        }
    }

    /**
     * The parser reads data and event lines straight from the bytes and the other lines as Strings: a reference reader
     * of the WHATWG algorithm (lines split first, then fields) must see the same events in generated streams of every
     * kind of line, split at random, with every line ending.
     */
    @Test
    void fastLineReadingAgreesWithTheAlgorithmLineByLine() {
        String[] lines = {"data: a", "data:b", "data:  two spaces", "data:", "data", "event: delta", "event:delta",
            "event:  spaced", "event:", "event", "event: ガイモ", "event: " + "e".repeat(300), "id: 1", "id:2",
            "retry: 10", "retry: x", ": comment", ":", "data: {\"k\":\"v\"}", "eventual: x", "dat: y", "Data: z",
            "event : w", "data: ü🥔", "", ""};
        String[] ends = {"\n", "\r", "\r\n"};
        java.util.Random random = new java.util.Random(1515);
        for (int round = 0; round < 2000; round++) {
            StringBuilder stream = new StringBuilder();
            int n = 1 + random.nextInt(30);
            for (int i = 0; i < n; i++) {
                stream.append(lines[random.nextInt(lines.length)]).append(ends[random.nextInt(ends.length)]);
            }
            String text = stream.toString();
            List<SseEvent> expected = reference(text);
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            List<SseEvent> events = new ArrayList<>();
            SseParser parser = new SseParser(events::add);
            for (int i = 0; i < bytes.length; ) {
                int size = Math.min(bytes.length - i, 1 + random.nextInt(random.nextBoolean() ? 8 : 400));
                parser.feed(bytes, i, size);
                i += size;
            }
            parser.finish();
            assertThat(events).as("%s", text).isEqualTo(expected);
        }
    }

    /** The WHATWG event stream algorithm on whole text, without the raw-JSON and {@code error:} extensions. */
    private static List<SseEvent> reference(String text) {
        List<SseEvent> events = new ArrayList<>();
        String name = null;
        String lastId = null;
        StringBuilder data = new StringBuilder();
        boolean hasData = false;
        boolean pending = false;
        List<String> lines = new ArrayList<>(List.of(text.split("\r\n|\r|\n", -1)));
        String unterminated = lines.remove(lines.size() - 1);
        if (!unterminated.isEmpty()) {
            lines.add(unterminated);
        }
        for (String line : lines) {
            if (line.isEmpty()) {
                if (pending) {
                    events.add(new SseEvent(name, data.toString(), lastId));
                }
                name = null;
                data.setLength(0);
                hasData = false;
                pending = false;
                continue;
            }
            if (line.startsWith(":")) {
                continue;
            }
            int colon = line.indexOf(':');
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + 1);
            value = value.startsWith(" ") ? value.substring(1) : value;
            switch (field) {
                case "event" -> {
                    name = value;
                    pending = true;
                }
                case "data" -> {
                    data.append(hasData ? "\n" : "").append(value);
                    hasData = true;
                    pending = true;
                }
                case "id" -> {
                    lastId = value;
                    pending = true;
                }
                case "retry" -> pending |= !value.isEmpty() && value.chars().allMatch(Character::isDigit);
                default -> {
                }
            }
        }
        if (pending && hasData && !data.toString().strip().isEmpty()) {
            events.add(new SseEvent(name, data.toString(), lastId));
        }
        return events;
    }
}
