package dev.llmo.cost;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmo.eventlog.Event;
import dev.llmo.eventlog.EventData;
import dev.llmo.eventlog.EventLog;
import dev.llmo.eventlog.Sha256;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

/** Conversation logs with priced responses, written through the event log API, for cost tests. */
public final class SpendLogs {
    private SpendLogs() {
    }

    /** A conversation at {@code at} with one response per entry of {@code costs} (null: unknown price). */
    public static Path conversation(Path dir, Instant at, String model, long inputTokens, long outputTokens,
                                    Long... costs) {
        return conversation(dir, at, model, dev.llmo.message.Usage.of(inputTokens, outputTokens), costs);
    }

    /** A conversation at {@code at} with one response of {@code usage} per entry of {@code costs} (null: unknown). */
    public static Path conversation(Path dir, Instant at, String model, dev.llmo.message.Usage usage, Long... costs) {
        EventLog.Options options = new EventLog.Options(Clock.fixed(at, ZoneOffset.UTC), false);
        try (EventLog log = EventLog.create(dir, new EventData.SessionStart("run", dev.llmo.eventlog.RunMode.SINGLE, List.of(model), null, "test"),
                options)) {
            Event user = log.append(EventData.Message.user("How much is \"response\" worth?"));
            long total = 0;
            for (Long cost : costs) {
                Event request = log.append(new EventData.Request(model, Map.of(), Sha256.of("body"), 4,
                        EventData.SeqRange.of(List.of(user.seq()))));
                if (cost == null) {
                    // EventData.Response has no way to say "unknown price" yet: written as the event it would be
                    ObjectNode data = JsonNodeFactory.instance.objectNode();
                    data.put("request", request.seq());
                    data.put("model", model);
                    data.put("text", "free answer");
                    data.put("stop_reason", "end");
                    data.putObject("usage").put("input_tokens", usage.inputTokens())
                            .put("output_tokens", usage.outputTokens())
                            .put("reasoning_tokens", usage.reasoningTokens())
                            .put("cache_read_tokens", usage.cacheReadTokens())
                            .put("cache_write_tokens", usage.cacheWriteTokens());
                    data.putNull("cost_micro_usd");
                    data.put("latency_ms", 5);
                    data.putNull("ttft_ms");
                    data.put("complete", true);
                    log.append("response", data);
                } else {
                    log.append(new EventData.Response(request.seq(), model, "Answer with \"cost_micro_usd\":99", "end",
                            usage, cost, 10, 3L, true));
                    total += cost;
                }
            }
            log.append(new EventData.SessionEnd("ok", 0, total));
            return log.file();
        }
    }
}
