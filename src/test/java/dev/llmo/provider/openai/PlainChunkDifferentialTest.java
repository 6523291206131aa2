package dev.llmo.provider.openai;

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
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The fast path for plain text deltas ({@link TextDeltaChunk} on {@code JsonScan}) against the tree reading it
 * stands in for: for thousands of generated chunks, realistic and mutated (escapes, surrogates, unknown fields,
 * duplicates, whitespace, broken syntax), the decoder with the fast path makes exactly the sink calls the decoder
 * without it makes. A chunk the fast path does not take goes to the tree anyway, so what is compared is the whole
 * outcome; that the fast path does take the realistic chunks is checked too, or this test would prove nothing.
 */
class PlainChunkDifferentialTest {
    private static final ProviderConfig OPENAI = ProviderTestSupport.provider("openai", ProviderType.OPENAI,
            "https://api.openai.com/v1", "OPENAI_API_KEY");
    private static final HttpErrorMapper ERRORS = new HttpErrorMapper(OPENAI,
            ProviderTestSupport.key("OPENAI_API_KEY"), Duration.ofSeconds(10), Duration.ofSeconds(600),
            ProviderTestSupport.CLOCK);

    private static final String[] TEXTS = {"Hel", "lo", " ", "", "caf\\u00e9", "caf\u00e9", "\\ud83d\\ude00",
        "\ud83d\ude00", "\\ud83d", "\\ude00x", "a\\nb", "\\\"q\\\"", "back\\\\slash", "\\/", "\\b\\f\\r\\t",
        "\\u0000", "\\u001F", "\\uFFFF", "\\uD834\\uDD1E", "tok1 ", "\u2028", "\u00a0"};
    private static final String[] EXTRA = {"\"id\":\"chatcmpl-1\"", "\"object\":\"chat.completion.chunk\"",
        "\"created\":1727346171", "\"system_fingerprint\":\"fp_44709d6fcb\"", "\"service_tier\":\"default\"",
        "\"obfuscation\":\"k3\"", "\"usage\":null", "\"error\":null", "\"x_groq\":null", "\"citations\":null",
        "\"search_results\":null", "\"model\":\"gpt-4o\"", "\"model\":\"\"", "\"model\":7", "\"weird\":[1,-2.5e3,{}]",
        "\"nested\":{\"a\":[true,false,null,\"x\\\"\"]}", "\"n\":-0", "\"f\":1.0E+2"};
    private static final String[] CHOICE_EXTRA = {"\"logprobs\":null", "\"finish_reason\":null", "\"index\":0",
        "\"content_filter_results\":{\"hate\":{\"filtered\":false,\"severity\":\"safe\"}}"};
    private static final String[] DELTA_EXTRA = {"\"role\":\"assistant\"", "\"content\":null"};

    private static List<String> compare(String data) {
        SseEvent event = new SseEvent(null, data, null);
        RecordingStreamSink fast = new RecordingStreamSink();
        RecordingStreamSink tree = new RecordingStreamSink();
        new OpenAiDecoder(ERRORS, true).onEvent(event, fast);
        new OpenAiDecoder(ERRORS, false).onEvent(event, tree);
        assertThat(fast.calls).as("sink calls for %s", data).isEqualTo(tree.calls);
        return fast.calls;
    }

    /** A realistic chunk: fields in random order, with the extras OpenAI and compatible servers add. */
    private static String chunk(Random random) {
        List<String> delta = new ArrayList<>();
        if (random.nextInt(5) > 0) {
            delta.add("\"content\":\"" + TEXTS[random.nextInt(TEXTS.length)] + TEXTS[random.nextInt(TEXTS.length)]
                    + "\"");
        }
        if (random.nextBoolean()) {
            delta.add(DELTA_EXTRA[0]);
        }
        List<String> choice = new ArrayList<>();
        choice.add("\"delta\":{" + String.join(",", shuffled(delta, random)) + "}");
        for (String extra : CHOICE_EXTRA) {
            if (random.nextBoolean()) {
                choice.add(extra);
            }
        }
        List<String> top = new ArrayList<>();
        top.add("\"choices\":[{" + String.join(",", shuffled(choice, random)) + "}]");
        List<String> used = new ArrayList<>();
        for (String extra : EXTRA) {
            String key = extra.substring(0, extra.indexOf(':'));
            if (random.nextInt(3) == 0 && used.stream().noneMatch(u -> u.equals(key))) {
                used.add(key);
                top.add(extra);
            }
        }
        String json = "{" + String.join(",", shuffled(top, random)) + "}";
        return random.nextInt(4) == 0 ? spaced(json, random) : json;
    }

    private static List<String> shuffled(List<String> items, Random random) {
        List<String> copy = new ArrayList<>(items);
        java.util.Collections.shuffle(copy, random);
        return copy;
    }

    /** JSON whitespace between tokens (outside strings), as a pretty-printing server would send. */
    private static String spaced(String json, Random random) {
        StringBuilder out = new StringBuilder();
        boolean inString = false;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            out.append(c);
            if (c == '\\' && inString) {
                out.append(json.charAt(++i));
                continue;
            }
            if (c == '"') {
                inString = !inString;
            }
            if (!inString && "{}[],:".indexOf(c) >= 0 && random.nextBoolean()) {
                out.append(" \t\r\n".charAt(random.nextInt(4)));
            }
        }
        return out.toString();
    }

    /** One edit that may break the syntax or change the meaning: the fast path must then agree or step aside. */
    private static String mutated(String json, Random random) {
        int at = random.nextInt(json.length() + 1);
        String alphabet = "{}[],:\"\\ 0-1.eE+tfnulrsaxu\u0000\u001f\ud800";
        return switch (random.nextInt(6)) {
            case 0 -> json.substring(0, at) + json.substring(Math.min(json.length(), at + 1));
            case 1 -> json.substring(0, at) + alphabet.charAt(random.nextInt(alphabet.length())) + json.substring(at);
            case 2 -> json.substring(0, at);
            case 3 -> {
                int to = Math.min(json.length(), at + 1 + random.nextInt(20));
                yield json.substring(0, to) + json.substring(at);
            }
            case 4 -> json.replaceFirst("\"(content|index|model|finish_reason|delta|choices|object|usage)\"",
                    "\"" + List.of("content", "index", "model", "finish_reason", "delta", "choices", "object",
                            "usage").get(random.nextInt(8)) + "\"");
            default -> json + List.of(" ", "\n", "x", "}", ",{}", " \t").get(random.nextInt(6));
        };
    }

    @Test
    void theFastPathMakesTheSameCallsAsTheTreeForGeneratedChunks() {
        Random random = new Random(15);
        int taken = 0;
        for (int i = 0; i < 4000; i++) {
            String json = chunk(random);
            compare(json);
            if (TextDeltaChunk.read(json) != null) {
                taken++;
            }
            String broken = json;
            for (int edits = 1 + random.nextInt(3); edits > 0; edits--) {
                broken = mutated(broken, random);
            }
            compare(broken);
        }
        // the realistic chunks without a JSON oddity the fast path leaves to the tree (it takes most of them)
        assertThat(taken).isGreaterThan(2000);
    }

    /** What a run of events makes each decoder call, the one with the fast path and the tree's, in order. */
    private static List<String> compareStream(List<String> events) {
        OpenAiDecoder withFastPath = new OpenAiDecoder(ERRORS, true);
        OpenAiDecoder treeOnly = new OpenAiDecoder(ERRORS, false);
        RecordingStreamSink fast = new RecordingStreamSink();
        RecordingStreamSink tree = new RecordingStreamSink();
        for (String data : events) {
            withFastPath.onEvent(new SseEvent(null, data, null), fast);
            treeOnly.onEvent(new SseEvent(null, data, null), tree);
        }
        assertThat(fast.calls).as("sink calls for the stream %s", events).isEqualTo(tree.calls);
        return fast.calls;
    }

    /** The events as bytes, through the SSE parser: with the decoder's template and without, fast path and tree. */
    private static SseStreams.Reading compareBytes(List<String> events, Random random) {
        byte[] bytes = SseStreams.encode(events.stream().map(data -> new String[] {null, data}).toList(), random);
        long seed = random.nextLong();
        SseStreams.Reading fast = SseStreams.read(bytes, new OpenAiDecoder(ERRORS, true), new Random(seed));
        SseStreams.Reading tree = SseStreams.read(bytes, new OpenAiDecoder(ERRORS, false), new Random(seed));
        assertThat(fast.calls()).as("sink calls for the stream %s", events).isEqualTo(tree.calls());
        return fast;
    }

    private static final java.util.regex.Pattern CONTENT =
            java.util.regex.Pattern.compile("(\"content\"\\s*:\\s*\")((?:[^\"\\\\]|\\\\.)*)(\")");

    /**
     * Streams, read by one decoder each: a chunk like the one before with another text is read from the previous one
     * (its template), which must come to the same calls whatever the new text holds (quotes, escapes, raw control
     * characters, the template's own tail) and whatever comes between (other chunks, broken ones).
     */
    @Test
    void streamsOfChunksLikeTheLastAreReadAsTheTreeReadsThem() {
        Random random = new Random(16);
        String[] texts = {"tok1 ", "", "a\\\"b", "\\\"", "\\\\", "\\n", "x\u0001y", "q\"q", "\"}]}", "\\u00e9",
            "\ud83d\ude00", "\\ud83d", "\\ude00", "}", "\"", "caf\u00e9", " \t", "\\"};
        int reused = 0;
        int templated = 0;
        for (int round = 0; round < 400; round++) {
            List<String> events = new ArrayList<>();
            String template = chunk(random);
            for (int step = 0; step < 30; step++) {
                int kind = random.nextInt(10);
                java.util.regex.Matcher content = CONTENT.matcher(template);
                if (kind < 7 && content.find()) {
                    String text = texts[random.nextInt(texts.length)] + texts[random.nextInt(texts.length)];
                    events.add(template.substring(0, content.start(2)) + text + template.substring(content.end(2)));
                    reused++;
                } else if (kind == 7) {
                    events.add(mutated(template, random));
                } else if (kind == 8) {
                    template = chunk(random);
                    events.add(template);
                } else {
                    events.add(List.of("{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}",
                            "{\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2}}",
                            "{\"choices\":[{\"index\":0,\"delta\":{\"reasoning\":\"hm\"}}]}").get(random.nextInt(3)));
                }
            }
            compareStream(events);
            templated += compareBytes(events, random).templated();
        }
        assertThat(reused).isGreaterThan(5000);
        // the parser read the plain ASCII texts among them (a few percent: most generated texts hold an escape or a
        // character outside ASCII) as the template's, from the bytes
        assertThat(templated).isGreaterThan(50);
    }

    /**
     * Runs of plain chunks, which the parser reads at once when they are framed as servers frame them, among the
     * texts that end a run (empty, escaped, outside ASCII, a control character, a quote, DEL), chunks that change the
     * template, ids, the other line ends, and the ending: read in pieces of any size, as the tree reads them.
     */
    @Test
    void runsOfPlainChunksAreReadAsTheTreeReadsThem() {
        Random random = new Random(18);
        String[] plain = {"tok1 ", "a", "}", "]}", "\u007f", " ", "x".repeat(300)};
        String[] other = {"", "a\\\"b", "caf\u00e9", "café", "x\ty", "\"", "\\n"};
        int runs = 0;
        int templated = 0;
        for (int round = 0; round < 300; round++) {
            List<String[]> stream = new ArrayList<>();
            String head = "{\"id\":\"c" + random.nextInt(3) + "\",\"model\":\"m\",\"choices\":[{\"index\":0,"
                    + "\"delta\":{\"content\":\"";
            String tail = "\"},\"finish_reason\":null}]}";
            for (int step = 0; step < 60; step++) {
                int kind = random.nextInt(20);
                String data;
                if (kind < 15) {
                    data = head + plain[random.nextInt(plain.length)] + tail;
                } else if (kind < 18) {
                    data = head + other[random.nextInt(other.length)] + tail;
                } else if (kind == 18) {
                    head = "{\"id\":\"c" + random.nextInt(3) + "\",\"model\":\"m" + random.nextInt(2)
                            + "\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"";
                    data = head + "new" + tail;
                } else {
                    data = "{\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2}}";
                }
                stream.add(new String[] {null, data});
            }
            stream.add(new String[] {null, "{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}"});
            stream.add(new String[] {null, "[DONE]"});
            byte[] bytes = SseStreams.encode(stream, random);
            if (random.nextInt(4) == 0) {
                // an id among the events: not a run's framing; the id lives on in the events after it
                String text = new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
                int at = text.indexOf("data: ", text.length() / 2);
                if (at > 0) {
                    bytes = (text.substring(0, at) + "id: 7\n" + text.substring(at))
                            .getBytes(java.nio.charset.StandardCharsets.UTF_8);
                }
            }
            long seed = random.nextLong();
            SseStreams.Reading fast = SseStreams.read(bytes, new OpenAiDecoder(ERRORS, true), new Random(seed));
            SseStreams.Reading tree = SseStreams.read(bytes, new OpenAiDecoder(ERRORS, false), new Random(seed));
            assertThat(fast.calls()).isEqualTo(tree.calls());
            runs += fast.runs();
            templated += fast.templated();
        }
        assertThat(runs).isGreaterThan(1000);
        assertThat(templated).isGreaterThan(5000);
    }

    /** A server's stream of plain ASCII tokens: after the first, the parser reads every one as the template's. */
    @Test
    void aStreamOfPlainTokensIsReadFromTheTemplate() {
        Random random = new Random(17);
        List<String> events = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            events.add("{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1727346171,"
                    + "\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"tok" + i + " \"},"
                    + "\"finish_reason\":null}]}");
        }
        events.add("{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}");
        events.add("[DONE]");
        byte[] bytes = SseStreams.encode(events.stream().map(data -> new String[] {null, data}).toList(), random);
        SseStreams.Reading fast = SseStreams.read(bytes, new OpenAiDecoder(ERRORS, true), new Random(1));
        assertThat(fast.calls()).isEqualTo(SseStreams.read(bytes, new OpenAiDecoder(ERRORS, false), new Random(1))
                .calls());
        // all but the first and those split between two reads (pieces of random size here, a quarter under 40 bytes),
        // those framed as servers do in runs
        assertThat(fast.templated()).isGreaterThan(300);
        assertThat(fast.runs()).isGreaterThan(10);
    }

    /**
     * The framing of a run's events is compared eight bytes at a time: a change at any one byte of an event among
     * template events (its {@code data: } line, the template around its text, the line ends) is read as the tree
     * reads it, wherever it falls in a word.
     */
    @Test
    void aChangeAtAnyByteOfAnEventAmongTemplateEventsIsReadAsTheTreeReadsIt() {
        String head = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1727346171,"
                + "\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"";
        String tail = "\"},\"finish_reason\":null}]}";
        StringBuilder before = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            before.append("data: ").append(head).append("tok").append(i).append(' ').append(tail).append("\n\n");
        }
        String changed = "data: " + head + "tok40 " + tail + "\n\n";
        String after = before.toString().replace("tok", "kot") + "data: [DONE]\n\n";
        int differing = 0;
        for (int at = 0; at < changed.length(); at++) {
            char c = changed.charAt(at);
            String event = changed.substring(0, at) + (c == 'x' ? 'y' : 'x') + changed.substring(at + 1);
            byte[] bytes = (before + event + after).getBytes(java.nio.charset.StandardCharsets.UTF_8);
            // whole, so that the run reads every event of the chunk: the changed one must end it
            SseStreams.Reading fast = SseStreams.read(bytes, new OpenAiDecoder(ERRORS, true), new Random(at), bytes.length);
            SseStreams.Reading tree = SseStreams.read(bytes, new OpenAiDecoder(ERRORS, false), new Random(at), bytes.length);
            assertThat(fast.calls()).as("changed at %d", at).isEqualTo(tree.calls());
            differing += fast.templated() < 81 ? 1 : 0;
        }
        assertThat(differing).isGreaterThan(changed.length() - 10); // all but the token's own bytes
    }

    @Test
    void oddChunksAreLeftToTheTreeOrReadAlike() {
        for (String data : List.of(
                "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}],\"usage\":{\"prompt_tokens\":1}}",
                "{\"choices\":[{\"index\":0,\"delta\":{\"cont\\u0065nt\":\"a\"}}]}",
                "{\"ch\\u006fices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}",
                "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]} trailing",
                "{\"choices\":[{\"index\":01,\"delta\":{\"content\":\"a\"}}]}",
                "{\"choices\":[{\"index\":-0,\"delta\":{\"content\":\"a\"}}]}",
                "{\"choices\":[{\"index\":0e0,\"delta\":{\"content\":\"a\"}}]}",
                "{\"choices\":[{\"delta\":{\"content\":\"a\\u00\"}}]}",
                "{\"choices\":[{\"delta\":{\"content\":\"a\\u００41\"}}]}",
                "{\"choices\":[{\"delta\":{\"content\":\"a\\x\"}}]}",
                "{\"choices\":[{\"delta\":{\"content\":\"a\tb\"}}]}",
                "{\"choices\":[{\"delta\":{\"content\":\"a\"}}],\"created\":1.}",
                "{\"choices\":[{\"delta\":{\"content\":\"a\"}}],\"created\":+1}",
                "{\"choices\":[{\"delta\":{\"content\":\"a\"}}],\"created\":" + "9".repeat(2000) + "}",
                "{\"choices\":[{\"delta\":{\"content\":\"a\"}}],\"deep\":" + "[".repeat(5000) + "]".repeat(5000) + "}",
                "{\"choices\":[{\"delta\":{\"content\":\"a\"}}],\"" + "k".repeat(100_000) + "\":1}",
                "{\"choices\":[{\"delta\":{\"content\":\"" + "x".repeat(3_000_000) + "\"}}]}",
                "{\"choices\":[{\"delta\":{\"content\":\"a\"}}],\"object\":\"error\",\"error\":{\"message\":\"m\"}}",
                "{\"choices\":[{\"delta\":{\"content\":\"a\"}}],\"object\":\"x\",\"object\":\"error\"}",
                "{\"choices\":[{\"delta\":{\"content\":\"a\"}}],\"error\":false}",
                "\ufeff{\"choices\":[{\"delta\":{\"content\":\"a\"}}]}",
                "{\"choices\":[{\"delta\":{\"content\":\"a\"}}],}",
                "{\"choices\":[{\"delta\":{\"content\":\"a\"}},]}",
                "{\"choices\":[{\"delta\":{\"content\":\"a\"},}]}",
                "{\"choices\":[{\"delta\":{\"content\":\"a\",}}]}",
                "{\"choices\":[{\"delta\":{\"content\":\"a\"}}],\"x\":[1,]}",
                "{\"choices\":[{\"delta\":{\"content\":\"a\"}}],\"x\":nul}",
                "{\"choices\":[{\"delta\":{\"content\":\"a\"}}],\"x\":truee}",
                "{\"choices\":[{\"delta\":{\"content\":\"a\"}}],\"x\":\"\\ud800\"}",
                "{\"choices\":[{\"delta\":{\"content\":\"a\"}}] \u000b}",
                "[]", "{}", "{", "\"s\"", "null", "  ")) {
            compare(data);
        }
    }

    @Test
    void takesTheChunksOfARealStream() {
        String openAi = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o\","
                + "\"system_fingerprint\":\"fp_1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"},"
                + "\"logprobs\":null,\"finish_reason\":null}],\"obfuscation\":\"x1\"}";
        assertThat(TextDeltaChunk.read(openAi)).isEqualTo(new TextDeltaChunk("gpt-4o", "Hel"));
        assertThat(compare(openAi)).containsExactly("model gpt-4o", "text Hel");
        String escaped = "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"caf\\u00e9 \\ud83d\\ude00\\n\\\"q\\\"\"}}]}";
        assertThat(TextDeltaChunk.read(escaped)).isEqualTo(new TextDeltaChunk(null, "caf\u00e9 \ud83d\ude00\n\"q\""));
    }
}
