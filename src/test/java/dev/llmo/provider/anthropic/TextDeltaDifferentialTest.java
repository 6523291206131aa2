package dev.llmo.provider.anthropic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmo.config.ProviderConfig;
import dev.llmo.config.ProviderType;
import dev.llmo.provider.ProviderTestSupport;
import dev.llmo.provider.http.HttpErrorMapper;
import dev.llmo.provider.http.RecordingStreamSink;
import dev.llmo.provider.http.SseEvent;
import dev.llmo.provider.http.SseStreams;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The fast path for {@code text_delta} events ({@link TextDeltaEvent}) against the tree reading: for generated events,
 * realistic and mutated, the decoder with it makes exactly the sink calls the decoder without it makes, and it does
 * take the realistic ones.
 */
class TextDeltaDifferentialTest {
    private static final ProviderConfig ANTHROPIC = ProviderTestSupport.provider("anthropic", ProviderType.ANTHROPIC,
            "https://api.anthropic.com/v1", "ANTHROPIC_API_KEY");
    private static final HttpErrorMapper ERRORS = new HttpErrorMapper(ANTHROPIC,
            ProviderTestSupport.key("ANTHROPIC_API_KEY"), Duration.ofSeconds(10), Duration.ofSeconds(600),
            ProviderTestSupport.CLOCK);
    private static final String[] TEXTS = {"Hel", "", " ", "caf\\u00e9", "\\ud83d\\ude00", "\ud83d\ude00", "\\ud83d",
        "a\\nb", "\\\"q\\\"", "\\\\", "\\/", "\\u001f", "\u2028"};

    private static List<String> compare(String name, String data) {
        SseEvent event = new SseEvent(name, data, null);
        RecordingStreamSink fast = new RecordingStreamSink();
        RecordingStreamSink tree = new RecordingStreamSink();
        new AnthropicDecoder(ERRORS, true).onEvent(event, fast);
        new AnthropicDecoder(ERRORS, false).onEvent(event, tree);
        assertThat(fast.calls).as("sink calls for %s", data).isEqualTo(tree.calls);
        return fast.calls;
    }

    private static String event(Random random) {
        List<String> delta = new ArrayList<>(List.of("\"type\":\"text_delta\"",
                "\"text\":\"" + TEXTS[random.nextInt(TEXTS.length)] + TEXTS[random.nextInt(TEXTS.length)] + "\""));
        if (random.nextInt(4) == 0) {
            delta.add("\"extra\":[1,{\"a\":null}]");
        }
        Collections.shuffle(delta, random);
        List<String> top = new ArrayList<>(List.of("\"type\":\"content_block_delta\"",
                "\"delta\":{" + String.join(",", delta) + "}"));
        if (random.nextInt(5) > 0) {
            top.add("\"index\":" + random.nextInt(3));
        }
        Collections.shuffle(top, random);
        return "{" + String.join(random.nextInt(4) == 0 ? ", " : ",", top) + "}";
    }

    private static String mutated(String json, Random random) {
        int at = random.nextInt(json.length() + 1);
        String alphabet = "{}[],:\"\\ 0-1.etfnul\u0000";
        return switch (random.nextInt(5)) {
            case 0 -> json.substring(0, at) + json.substring(Math.min(json.length(), at + 1));
            case 1 -> json.substring(0, at) + alphabet.charAt(random.nextInt(alphabet.length())) + json.substring(at);
            case 2 -> json.substring(0, at);
            case 3 -> json.replaceFirst("\"(text|type|delta)\"",
                    "\"" + List.of("text", "type", "delta", "thinking").get(random.nextInt(4)) + "\"");
            default -> json.replace("text_delta", List.of("thinking_delta", "text_delt", "input_json_delta")
                    .get(random.nextInt(3)));
        };
    }

    @Test
    void theFastPathMakesTheSameCallsAsTheTreeForGeneratedEvents() {
        Random random = new Random(15);
        int taken = 0;
        for (int i = 0; i < 3000; i++) {
            String json = event(random);
            String name = random.nextBoolean() ? "content_block_delta" : random.nextBoolean() ? null : "error";
            compare(name, json);
            if (TextDeltaEvent.text(json) != null) {
                taken++;
            }
            String broken = json;
            for (int edits = 1 + random.nextInt(3); edits > 0; edits--) {
                broken = mutated(broken, random);
            }
            compare(name, broken);
        }
        assertThat(taken).isGreaterThan(2000);
    }

    /**
     * Streams, read by one decoder each: an event like the one before with another text is read from the previous one
     * (its template), which must come to the same calls whatever the new text holds.
     */
    @Test
    void streamsOfEventsLikeTheLastAreReadAsTheTreeReadsThem() {
        Random random = new Random(16);
        String[] texts = {"Hel", "", "a\\\"b", "\\\\", "\\n", "x\u0001y", "q\"q", "\"}}", "\\u00e9", "\ud83d\ude00",
            "\\ud83d", "}", "\"", "\\"};
        int reused = 0;
        int templated = 0;
        for (int round = 0; round < 300; round++) {
            List<String[]> stream = new ArrayList<>();
            AnthropicDecoder withFastPath = new AnthropicDecoder(ERRORS, true);
            AnthropicDecoder treeOnly = new AnthropicDecoder(ERRORS, false);
            RecordingStreamSink fast = new RecordingStreamSink();
            RecordingStreamSink tree = new RecordingStreamSink();
            String template = event(random);
            for (int step = 0; step < 30; step++) {
                int kind = random.nextInt(10);
                int at = template.indexOf("\"text\":\"") + 8;
                int end = at;
                while (template.charAt(end) != '"') {
                    end += template.charAt(end) == '\\' ? 2 : 1;
                }
                String data;
                if (kind < 7) {
                    data = template.substring(0, at) + texts[random.nextInt(texts.length)]
                            + texts[random.nextInt(texts.length)] + template.substring(end);
                    reused++;
                } else if (kind == 7) {
                    data = mutated(template, random);
                } else if (kind == 8) {
                    template = event(random);
                    data = template;
                } else {
                    data = "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"thinking_delta\","
                            + "\"thinking\":\"hm\"}}";
                }
                withFastPath.onEvent(new SseEvent("content_block_delta", data, null), fast);
                treeOnly.onEvent(new SseEvent("content_block_delta", data, null), tree);
                stream.add(new String[] {random.nextInt(8) == 0 ? null : "content_block_delta", data});
            }
            assertThat(fast.calls).isEqualTo(tree.calls);
            // the same events as bytes, through the SSE parser, with the decoder's template and without
            byte[] bytes = SseStreams.encode(stream, random);
            long seed = random.nextLong();
            SseStreams.Reading bytesFast = SseStreams.read(bytes, new AnthropicDecoder(ERRORS, true), new Random(seed));
            SseStreams.Reading bytesTree = SseStreams.read(bytes, new AnthropicDecoder(ERRORS, false),
                    new Random(seed));
            assertThat(bytesFast.calls()).isEqualTo(bytesTree.calls());
            templated += bytesFast.templated();
        }
        assertThat(reused).isGreaterThan(5000);
        // the plain ASCII texts among them (most generated texts hold an escape or a character outside ASCII)
        assertThat(templated).isGreaterThan(100);
    }

    /**
     * Runs of plain text deltas under their event name, which the parser reads at once when framed as servers frame
     * them, among texts that end a run, other events (a ping, a delta of another name or none) and the ending: read
     * in pieces of any size, as the tree reads them.
     */
    @Test
    void runsOfPlainDeltasAreReadAsTheTreeReadsThem() {
        Random random = new Random(19);
        String[] plain = {"tok1 ", "a", "}", "]", "\u007f", " ", "y".repeat(200)};
        String[] other = {"", "a\\\"b", "caf\u00e9", "\ud83d\ude00", "x\ny"};
        int runs = 0;
        for (int round = 0; round < 300; round++) {
            List<String[]> stream = new ArrayList<>();
            String head = "{\"type\":\"content_block_delta\",\"index\":" + random.nextInt(2)
                    + ",\"delta\":{\"type\":\"text_delta\",\"text\":\"";
            for (int step = 0; step < 60; step++) {
                int kind = random.nextInt(20);
                if (kind < 15) {
                    stream.add(new String[] {"content_block_delta", head + plain[random.nextInt(plain.length)] + "\"}}"});
                } else if (kind < 17) {
                    stream.add(new String[] {"content_block_delta", head + other[random.nextInt(other.length)] + "\"}}"});
                } else if (kind == 17) {
                    stream.add(new String[] {random.nextBoolean() ? null : "other", head + "z\"}}"});
                } else {
                    stream.add(new String[] {"ping", "{\"type\":\"ping\"}"});
                }
            }
            stream.add(new String[] {"message_stop", "{\"type\":\"message_stop\"}"});
            byte[] bytes = SseStreams.encode(stream, random);
            long seed = random.nextLong();
            SseStreams.Reading fast = SseStreams.read(bytes, new AnthropicDecoder(ERRORS, true), new Random(seed));
            SseStreams.Reading tree = SseStreams.read(bytes, new AnthropicDecoder(ERRORS, false), new Random(seed));
            assertThat(fast.calls()).isEqualTo(tree.calls());
            runs += fast.runs();
        }
        assertThat(runs).isGreaterThan(1000);
    }

    @Test
    void oddEventsAreLeftToTheTreeOrReadAlike() {
        for (String data : List.of(
                "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"a\"}}",
                "{\"type\":\"content_block_delta\",\"delta\":{\"type\":\"text_delta\",\"text\":7}}",
                "{\"type\":\"content_block_delta\",\"delta\":{\"type\":\"text_delta\"}}",
                "{\"type\":\"content_block_delta\",\"delta\":{\"type\":\"text_delta\",\"text\":\"a\",\"text\":\"b\"}}",
                "{\"type\":\"content_block_delta\",\"type\":\"ping\",\"delta\":{\"type\":\"text_delta\",\"text\":\"a\"}}",
                "{\"type\":\"content_block_delta\",\"delta\":{\"type\":\"text_delta\",\"text\":\"a\"},\"delta\":{}}",
                "{\"type\":\"content_block_delta\",\"delta\":{\"t\\u0079pe\":\"text_delta\",\"text\":\"a\"}}",
                "{\"type\":\"content_block_delta\",\"delta\":{\"type\":\"text_delta\",\"text\":\"a\"}} x",
                "{\"type\":\"content_block_delta\",\"delta\":{\"type\":\"text_delta\",\"text\":\"a\"},}",
                "{\"type\":\"\",\"delta\":{\"type\":\"text_delta\",\"text\":\"a\"}}",
                "{\"delta\":{\"type\":\"text_delta\",\"text\":\"a\"}}",
                "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}",
                "{\"type\":\"content_block_delta\",\"delta\":{\"type\":\"text_delta\",\"text\":\"a\"},\"n\":01}",
                "[]", "{}", "{")) {
            compare("content_block_delta", data);
            compare(null, data);
        }
        assertThat(compare("content_block_delta",
                "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi \\ud83d\\ude00\"}}"))
                .containsExactly("text Hi \ud83d\ude00");
    }
}
