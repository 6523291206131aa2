package dev.llmo.cost;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Spending grouped by model or by local day, with a total: what {@code llmo cost} shows. Calls of unknown price
 * are counted apart and never priced at 0.
 *
 * @param by    what the rows are: {@code model} or {@code day}
 * @param rows  sorted by model name or by day
 * @param total every call
 */
public record CostReport(Grouping by, List<Row> rows, Row total) {
    /** How rows are grouped. */
    public enum Grouping {
        MODEL("model"), DAY("day");

        private final String key;

        Grouping(String key) {
            this.key = key;
        }

        /** The row key's name in JSON and the table heading. */
        public String key() {
            return key;
        }
    }

    /**
     * One group.
     *
     * @param key                a model ({@code provider/model}) or a day ({@code 2026-11-21})
     * @param calls              responses logged
     * @param inputTokens        reported input tokens, cached ones included (calls without reported usage add
     *                           nothing)
     * @param cacheReadTokens    the part of the input read from a prompt cache
     * @param cacheWriteTokens   the part of the input written to a prompt cache
     * @param outputTokens       reported output tokens, reasoning included
     * @param reasoningTokens    the part of the output spent reasoning
     * @param knownMicroUsd      the cost of the calls of known price
     * @param unknownPriceCalls  calls whose price was unknown
     */
    public record Row(String key, long calls, long inputTokens, long cacheReadTokens, long cacheWriteTokens,
                      long outputTokens, long reasoningTokens, long knownMicroUsd, long unknownPriceCalls) {
        static Row empty(String key) {
            return new Row(key, 0, 0, 0, 0, 0, 0, 0, 0);
        }

        Row add(SpendRecord record) {
            return new Row(key, calls + 1, inputTokens + orZero(record.inputTokens()),
                    cacheReadTokens + orZero(record.cacheReadTokens()),
                    cacheWriteTokens + orZero(record.cacheWriteTokens()),
                    outputTokens + orZero(record.outputTokens()),
                    reasoningTokens + orZero(record.reasoningTokens()),
                    knownMicroUsd + orZero(record.costMicroUsd()),
                    unknownPriceCalls + (record.costMicroUsd() == null ? 1 : 0));
        }

        private static long orZero(Long value) {
            return value == null ? 0 : value;
        }

        /** True when some calls had a known price. */
        public boolean anyKnown() {
            return unknownPriceCalls < calls;
        }

        /** The USD column: {@code $0.0123}, {@code $0.0123 + 2 unknown}, or {@code unknown}. */
        public String usdText() {
            return Usd.formatTotal(knownMicroUsd, unknownPriceCalls, calls);
        }

        ObjectNode toJson(String keyName) {
            ObjectNode json = JsonNodeFactory.instance.objectNode();
            json.put(keyName, key);
            json.put("calls", calls);
            json.put("input_tokens", inputTokens);
            json.put("cache_read_tokens", cacheReadTokens);
            json.put("cache_write_tokens", cacheWriteTokens);
            json.put("output_tokens", outputTokens);
            json.put("reasoning_tokens", reasoningTokens);
            json.put("usd", calls > 0 && !anyKnown() ? null : Usd.forJson(Usd.ofMicro(knownMicroUsd)));
            json.put("unknown_price_calls", unknownPriceCalls);
            return json;
        }
    }

    /** Groups {@code records}; days are local dates in {@code zone}. */
    public static CostReport of(List<SpendRecord> records, Grouping by, ZoneId zone) {
        Map<String, Row> groups = new TreeMap<>();
        Row total = Row.empty("TOTAL");
        for (SpendRecord record : records) {
            String key = by == Grouping.MODEL ? record.model() : record.ts().atZone(zone).toLocalDate().toString();
            groups.put(key, groups.getOrDefault(key, Row.empty(key)).add(record));
            total = total.add(record);
        }
        return new CostReport(by, new ArrayList<>(groups.values()), total);
    }

    public CostReport {
        rows = List.copyOf(rows);
    }

    /**
     * {@code {"total_usd": …, "unknown_price_calls": N, "calls": N, "input_tokens": N, "cache_read_tokens": N,
     * "cache_write_tokens": N, "output_tokens": N, "reasoning_tokens": N, "rows": [{"model"|"day": …, "calls",
     * "input_tokens", "cache_read_tokens", "cache_write_tokens", "output_tokens", "reasoning_tokens", "usd",
     * "unknown_price_calls"}]}}; {@code usd} sums the calls of known price and is null when no call's price is known.
     */
    public ObjectNode toJson() {
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        ObjectNode totals = total.toJson("key");
        json.set("total_usd", totals.get("usd"));
        json.put("unknown_price_calls", total.unknownPriceCalls());
        json.put("calls", total.calls());
        json.put("input_tokens", total.inputTokens());
        json.put("cache_read_tokens", total.cacheReadTokens());
        json.put("cache_write_tokens", total.cacheWriteTokens());
        json.put("output_tokens", total.outputTokens());
        json.put("reasoning_tokens", total.reasoningTokens());
        json.put("by", by.key());
        ArrayNode list = json.putArray("rows");
        rows.forEach(row -> list.add(row.toJson(by.key())));
        return json;
    }

    /**
     * The table's cells: a heading, one line per row, and the total; the first column is the row's key (text), the
     * others are counts and money. The cache columns are parts of the input, the reasoning column part of the output.
     */
    public List<String[]> cells() {
        List<String[]> cells = new ArrayList<>();
        cells.add(new String[] {by.key().toUpperCase(java.util.Locale.ROOT), "CALLS", "INPUT TOKENS", "CACHE READ",
            "CACHE WRITE", "OUTPUT TOKENS", "REASONING", "USD"});
        for (Row row : rows) {
            cells.add(cells(row));
        }
        cells.add(cells(total));
        return cells;
    }

    private static String[] cells(Row row) {
        return new String[] {row.key(), Usd.count(row.calls()), Usd.count(row.inputTokens()),
            Usd.count(row.cacheReadTokens()), Usd.count(row.cacheWriteTokens()), Usd.count(row.outputTokens()),
            Usd.count(row.reasoningTokens()), row.usdText()};
    }
}
