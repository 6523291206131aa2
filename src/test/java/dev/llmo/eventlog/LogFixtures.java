package dev.llmo.eventlog;

import dev.llmo.eventlog.EventData.ErrorEvent;
import dev.llmo.eventlog.EventData.Message;
import dev.llmo.eventlog.EventData.Request;
import dev.llmo.eventlog.EventData.Response;
import dev.llmo.eventlog.EventData.Retry;
import dev.llmo.eventlog.EventData.SeqRange;
import dev.llmo.eventlog.EventData.SessionEnd;
import dev.llmo.eventlog.EventData.SessionStart;
import dev.llmo.message.Usage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Logs to test with: a conversation using every event type and text that is hard to escape. */
public final class LogFixtures {
    /** Text with everything canonical JSON must get right: quotes, backslashes, controls, non-ASCII, emoji. */
    public static final String NASTY = "He said \"hi\\there\"\n\ttab\u0001\u001f\u007f é 日本 😀 / <tag> \u2028 end";

    private LogFixtures() {
    }

    /** A whole conversation (12 events) in a new log in {@code dir}; returns its file. */
    public static Path conversation(Path dir, String prompt) {
        try (EventLog log = EventLog.create(dir, new SessionStart("run", RunMode.SINGLE, List.of("openai/gpt-4o-mini",
                "anthropic/claude"), Sha256.of("config"), "0.1.0"))) {
            Event system = log.append(Message.system("Be brief."));
            Event user = log.append(Message.user(prompt));
            Event request = log.append(new Request("openai/gpt-4o-mini", Map.of("temperature", 0.7, "max_tokens", 100),
                    Sha256.of("body"), 4, SeqRange.of(List.of(system.seq(), user.seq()))));
            log.append(new Retry(request.seq(), 1, "rate_limited", 429, 500));
            log.append(new Response(request.seq(), "openai/gpt-4o-mini", "Answer: " + NASTY, "end",
                    Usage.of(12, 5), 48L, 812, 230L, true));
            Event second = log.append(new Request("anthropic/claude", Map.of(), Sha256.of("body2"), 5,
                    SeqRange.of(List.of(system.seq(), user.seq()))));
            log.append(new ErrorEvent(second.seq(), "rate_limited", 429, "slow down"));
            Event follow = log.append(Message.user("and more?"));
            Event third = log.append(new Request("openai/gpt-4o-mini", Map.of(), Sha256.of("body3"), 6,
                    SeqRange.of(List.of(system.seq(), user.seq(), 4L, follow.seq()))));
            log.append(new Response(third.seq(), "openai/gpt-4o-mini", "partial", "incomplete", null, 10L, 99, null,
                    false));
            log.append(new SessionEnd("failed", 1, 58));
            return log.file();
        }
    }

    public static List<String> lines(Path file) throws IOException {
        return new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
    }

    public static void writeLines(Path file, List<String> lines) throws IOException {
        Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    }
}
