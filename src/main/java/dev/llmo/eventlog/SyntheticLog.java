package dev.llmo.eventlog;

import dev.llmo.failure.FailureException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Writes a valid, realistic log of a given size (a long chat: messages, requests, responses, the odd retry and
 * error, with non-ASCII text, quotes and control characters) for benchmarks and tests of {@code log verify}.
 * Deterministic for a seed. Written in one stream, not event by event: this is test data, not a conversation.
 */
public final class SyntheticLog {
    private static final String[] WORDS = {"the", "model", "returns", "a", "stream", "of", "tokens", "über",
        "naïve", "café", "日本語", "テキスト", "данные", "emoji 🎉", "\"quoted\"", "back\\slash", "tab\there", "line\nbreak",
        "control\u0001char", "json {\"k\": [1, 2]}", "lorem", "ipsum", "dolor", "sit", "amet", "consectetur",
        "adipiscing", "elit", "function", "return", "value", "=>", "<tag/>", "100%", "$5.00"};

    private SyntheticLog() {
    }

    /** Writes at least {@code bytes} bytes of whole events to {@code file} (replacing it); returns the event count. */
    public static long write(Path file, long bytes, long seed) {
        Random random = new Random(seed);
        MessageDigest digest = Sha256.newDigest();
        Instant time = Instant.parse("2026-11-21T19:40:48.540Z");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE), 1 << 20)) {
            Writer writer = new Writer(out, digest, time, random);
            writer.add(new EventData.SessionStart("chat", RunMode.CHAT, List.of("openai/gpt-4o-mini"),
                    Sha256.of("config"), "bench"));
            writer.add(EventData.Message.system("You are a helpful assistant."));
            long firstMessage = 0;
            while (writer.written < bytes) {
                long user = writer.add(EventData.Message.user(text(random, 20 + random.nextInt(200)))).seq();
                long request = writer.add(new EventData.Request("openai/gpt-4o-mini",
                        Map.of("temperature", 0.7, "max_tokens", 1024), Sha256.of(Long.toString(user)),
                        1000 + random.nextInt(5000), List.of(new EventData.SeqRange(firstMessage, user)))).seq();
                if (random.nextInt(20) == 0) {
                    writer.add(new EventData.Retry(request, 1, "rate_limited", 429, 500));
                }
                if (random.nextInt(50) == 0) {
                    writer.add(new EventData.ErrorEvent(request, "server_error", 500, "upstream timed out"));
                    continue;
                }
                long in = 20 + random.nextInt(2000);
                long outTokens = 50 + random.nextInt(800);
                writer.add(new EventData.Response(request, "openai/gpt-4o-mini", text(random, outTokens * 2), "end",
                        dev.llmo.message.Usage.of(in, outTokens), in * 15 / 100 + outTokens * 60 / 100,
                        200 + random.nextInt(5000), (long) random.nextInt(900), true));
            }
            writer.add(new EventData.SessionEnd("ok", 0, 0));
            return writer.seq;
        } catch (IOException e) {
            throw new FailureException("cannot write " + file + ": " + e.getMessage(), "check free disk space", e);
        }
    }

    private static String text(Random random, long words) {
        StringBuilder text = new StringBuilder();
        for (long i = 0; i < words; i++) {
            text.append(i == 0 ? "" : " ").append(WORDS[random.nextInt(WORDS.length)]);
        }
        return text.toString();
    }

    private static final class Writer {
        private final OutputStream out;
        private final MessageDigest digest;
        private Instant time;
        private long seq;
        private String prev = Sha256.ZERO;
        private long written;
        private final Random random;

        Writer(OutputStream out, MessageDigest digest, Instant time, Random random) {
            this.random = random;
            this.out = out;
            this.digest = digest;
            this.time = time;
        }

        Event add(EventData event) throws IOException {
            EventCodec.Encoded encoded = EventCodec.encode(event, random);
            byte[] data = CanonicalJson.write(encoded.data());
            byte[] content = encoded.content().isEmpty() ? null : CanonicalJson.write(encoded.content());
            String ts = EventJson.timestamp(time);
            time = time.plusMillis(137);
            String hash = EventLines.hash(digest, Event.VERSION, data, 0, data.length, prev, seq, ts, event.type());
            byte[] line = EventLines.line(seq, ts, event.type(), data, prev, hash, content);
            out.write(line);
            written += line.length;
            Event written = new Event(Event.VERSION, seq, ts, event.type(), encoded.data(), prev, hash,
                    content == null ? null : encoded.content());
            prev = hash;
            seq++;
            return written;
        }
    }
}
