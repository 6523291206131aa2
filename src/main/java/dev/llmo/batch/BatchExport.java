package dev.llmo.batch;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmo.eventlog.EventData;
import dev.llmo.message.Message;
import dev.llmo.message.Part;
import dev.llmo.message.Role;
import dev.llmo.message.Usage;
import dev.llmo.provider.http.Json;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongPredicate;
import java.util.stream.Collectors;

/**
 * The results of a batch as JSON Lines, in dataset order (each row's models in the batch's order), from its record:
 * what {@code batch export} prints any time, and {@code batch run} and {@code batch resume} print of the calls they did
 * not make. One line per finished call the record holds (its last entry, when a resume sent it again; a call stopped
 * by Ctrl-C has none):
 * {@code {"row":1,"id":"q1","model":"openai/gpt-4o-mini","text":"...","reasoning":null,"refusal":null,
 * "usage":{...},"cost_usd":0.000012,"latency_ms":812,"error":null}}.
 *
 * <p>Two passes over the record, never holding the answers: the first notes which entry is each call's last (one
 * number per call), the second writes them in order, holding back only the entries that come before their turn
 * (a record is written in about dataset order, so few).
 */
public final class BatchExport {
    private BatchExport() {
    }

    /** A result line, as the record's entry (and the assertions' verdicts, when the batch has any) make it. */
    @FunctionalInterface
    public interface Lines {
        String line(EventData.BatchRow row);
    }

    /** The plain line of an entry. */
    public static String line(EventData.BatchRow row) {
        return json(row).toString();
    }

    /** The JSON of an entry's result line. */
    public static ObjectNode json(EventData.BatchRow row) {
        ObjectNode line = Json.object();
        line.put("row", row.row() + 1);
        line.put("id", row.rowId());
        line.put("model", row.model());
        line.put("text", row.text());
        Message answer = new Message(Role.ASSISTANT, row.parts());
        // the model's reasoning and a refused answer's words (OpenAI's refusal, Anthropic's explanation), as run
        // --json gives them: null when none came, the reasoning empty when only its redacted form did; the row's
        // error says it was refused, this what the model said
        line.put("reasoning", joined(answer.parts(Part.Reasoning.class), Part.Reasoning::text));
        line.put("refusal", joined(answer.parts(Part.Refusal.class), Part.Refusal::text));
        Usage usage = row.usage();
        if (usage == null) {
            line.putNull("usage");
        } else {
            line.putObject("usage").put("input_tokens", usage.inputTokens()).put("output_tokens", usage.outputTokens())
                    .put("reasoning_tokens", usage.reasoningTokens()).put("cache_read_tokens", usage.cacheReadTokens())
                    .put("cache_write_tokens", usage.cacheWriteTokens());
        }
        line.put("cost_usd", row.costMicroUsd() == null ? null : BigDecimal.valueOf(row.costMicroUsd(), 6));
        line.put("latency_ms", row.latencyMs());
        if (!row.asserts().isEmpty()) {
            var checks = line.putArray("asserts");
            row.asserts().forEach(pass -> {
                if (pass == null) {
                    checks.addNull();
                } else {
                    checks.add(pass);
                }
            });
        }
        if (row.succeeded()) {
            line.putNull("error");
        } else {
            line.putObject("error").put("kind", row.errorKind()).put("status", row.errorStatus())
                    .put("message", row.errorMessage());
        }
        return line;
    }

    /** The parts' texts joined, or null when there are none. */
    private static <P extends Part> String joined(List<P> parts, Function<P, String> text) {
        return parts.isEmpty() ? null : parts.stream().map(text).collect(Collectors.joining());
    }

    /** Writes the record's results in dataset order to {@code out}; returns how many lines. */
    public static long write(Path record, int models, PrintWriter out, Lines lines) {
        long[] count = {0};
        each(record, models, row -> {
            out.println(lines.line(row));
            count[0]++;
        });
        out.flush();
        return count[0];
    }

    /** Hands each call's last entry to {@code sink}, in dataset order. */
    public static void each(Path record, int models, Consumer<EventData.BatchRow> sink) {
        each(record, models, position -> true, sink);
    }

    /**
     * {@link #each} for the calls at the positions (row × models + model) that {@code wanted} accepts; the record may
     * be growing meanwhile if no entry of those calls is being written.
     */
    static void each(Path record, int models, LongPredicate wanted, Consumer<EventData.BatchRow> sink) {
        // pass 1: the position of each call, and the seq-like ordinal of its last entry
        Map<Long, Long> last = new HashMap<>();
        long[] ordinal = {0};
        BatchRecord.entries(record, entry -> {
            // a call stopped by Ctrl-C or a signal has no result: it is missing until a resume sends it again
            if (entry instanceof EventData.BatchRow row && !BatchRecord.INTERRUPTED.equals(row.errorKind())
                    && wanted.test(row.row() * models + row.modelIndex())) {
                last.put(row.row() * models + row.modelIndex(), ordinal[0]);
            }
            ordinal[0]++;
        });
        long[] positions = last.keySet().stream().mapToLong(Long::longValue).sorted().toArray();
        Map<Long, EventData.BatchRow> early = new HashMap<>();
        int[] next = {0};
        long[] at = {0};
        BatchRecord.entries(record, entry -> {
            long mine = at[0]++;
            if (!(entry instanceof EventData.BatchRow row)) {
                return;
            }
            Long lastOfCall = last.get(row.row() * models + row.modelIndex());
            if (lastOfCall == null || lastOfCall != mine) {
                return; // not wanted, or sent again later: the later entry is its result
            }
            early.put(row.row() * models + row.modelIndex(), row);
            while (next[0] < positions.length && early.containsKey(positions[next[0]])) {
                sink.accept(early.remove(positions[next[0]++]));
            }
        });
    }
}
