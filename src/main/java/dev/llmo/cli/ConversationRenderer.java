package dev.llmo.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmo.cli.terminal.TerminalText;
import dev.llmo.cost.Usd;
import dev.llmo.eventlog.ConversationSummary;
import dev.llmo.eventlog.Event;
import dev.llmo.eventlog.VerifyReport;
import java.io.PrintWriter;
import java.util.List;

/**
 * Renders a recorded conversation for people: as text for {@code log show}, as Markdown or as one JSON document
 * for {@code log export}. Works from the events alone, so whatever {@code run}, {@code chat} or a chain wrote shows
 * the same way.
 */
final class ConversationRenderer {
    private final String id;
    private final List<Event> events;
    private final VerifyReport report;

    ConversationRenderer(String id, List<Event> events, VerifyReport report) {
        this.id = id;
        this.events = events;
        this.report = report;
    }

    /**
     * A conversation's cost: exact known part ({@code $0.000048}), {@code + N unknown} for calls of unknown price,
     * {@code unknown} when no price is known; the formatter {@code llmo cost} uses.
     */
    static String usd(ConversationSummary summary) {
        return Usd.formatTotal(summary.costMicroUsd(), summary.unknownPriceResponses(), summary.responses());
    }

    /** One line: {@code ok} or the first problem. */
    private String chain() {
        return report.ok() ? "ok (" + report.events() + " events)" : "BROKEN, " + report.problem().message();
    }

    void text(PrintWriter out, boolean color) {
        ConversationSummary summary = ConversationSummary.of(id, events);
        String bold = color ? "\u001b[1m" : "";
        String dim = color ? "\u001b[2m" : "";
        String reset = color ? "\u001b[0m" : "";
        out.println(bold + "conversation " + id + reset);
        out.println("started  " + nullToDash(summary.started()) + (summary.command() == null ? ""
                : "  (llmo " + summary.command() + ")"));
        out.println("models   " + (summary.models().isEmpty() ? "-" : String.join(", ", summary.models())));
        out.println("cost     " + usd(summary));
        out.println("chain    " + chain());
        for (Event event : events) {
            JsonNode data = event.data();
            switch (event.type()) {
                case "message" -> {
                    out.println();
                    out.println(bold + "── " + data.path("role").asText() + " ──" + reset);
                    out.println(printable(data.path("content").asText()));
                }
                case "response" -> {
                    out.println();
                    out.println(bold + "── assistant (" + data.path("model").asText() + ") ──" + reset);
                    out.println(printable(data.path("text").asText()));
                    out.println(dim + "[" + responseFacts(data) + "]" + reset);
                }
                case "retry" -> out.println(dim + "[retry " + data.path("attempt").asText() + " of request "
                        + data.path("request").asText() + ": " + data.path("reason").asText() + ", after "
                        + data.path("delay_ms").asText() + " ms]" + reset);
                case "error" -> {
                    out.println();
                    out.println(bold + "── error" + (data.path("request").isNull() ? "" : " (request "
                            + data.path("request").asText() + ")") + " ──" + reset);
                    out.println(printable(data.path("kind").asText() + statusText(data) + ": "
                            + data.path("message").asText("")));
                }
                default -> {
                }
            }
        }
    }

    void markdown(PrintWriter out) {
        ConversationSummary summary = ConversationSummary.of(id, events);
        out.println("# Conversation " + id);
        out.println();
        out.println("- started: " + nullToDash(summary.started()));
        if (summary.command() != null) {
            out.println("- command: `llmo " + summary.command() + "`");
        }
        out.println("- models: " + (summary.models().isEmpty() ? "-" : String.join(", ", summary.models())));
        out.println("- cost: " + usd(summary));
        out.println("- chain: " + chain());
        for (Event event : events) {
            JsonNode data = event.data();
            switch (event.type()) {
                case "message" -> {
                    out.println();
                    out.println("## " + capitalise(data.path("role").asText()));
                    out.println();
                    out.println(data.path("content").asText());
                }
                case "response" -> {
                    out.println();
                    out.println("## Assistant (" + data.path("model").asText() + ")");
                    out.println();
                    out.println(data.path("text").asText());
                    out.println();
                    out.println("_" + responseFacts(data) + "_");
                }
                case "error" -> {
                    out.println();
                    out.println("## Error");
                    out.println();
                    out.println("`" + data.path("kind").asText() + statusText(data) + "`: "
                            + data.path("message").asText(""));
                }
                default -> {
                }
            }
        }
    }

    void json(PrintWriter out) throws Exception {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ConversationSummary summary = ConversationSummary.of(id, events);
        ObjectNode root = mapper.createObjectNode();
        root.put("id", id);
        root.put("started", summary.started());
        root.put("command", summary.command());
        root.set("models", mapper.valueToTree(summary.models()));
        root.put("cost_micro_usd", summary.costUnknown() ? null : summary.costMicroUsd());
        root.put("unknown_price_calls", summary.unknownPriceResponses());
        root.put("verified", report.ok());
        root.put("problem", report.ok() ? null : report.problem().message());
        ArrayNode list = root.putArray("events");
        for (Event event : events) {
            ObjectNode e = list.addObject();
            e.put("seq", event.seq());
            e.put("ts", event.ts());
            e.put("type", event.type());
            e.set("data", event.data());
        }
        out.println(mapper.writeValueAsString(root));
    }

    private static String responseFacts(JsonNode data) {
        String stop = data.path("stop_reason").asText("?");
        StringBuilder facts = new StringBuilder(stop);
        // an answer that failed is logged with stop reason "incomplete" already: say it once
        if (!data.path("complete").asBoolean(true) && !"incomplete".equals(stop)) {
            facts.append(", incomplete");
        }
        JsonNode usage = data.path("usage");
        if (usage.isObject()) {
            facts.append(" · ").append(usage.path("input_tokens").asLong()).append(" in / ")
                    .append(usage.path("output_tokens").asLong()).append(" out tokens");
        }
        JsonNode cost = data.path("cost_micro_usd");
        facts.append(" · ").append(Usd.formatCall(cost.isIntegralNumber() ? cost.asLong() : null)).append(" · ")
                .append(data.path("latency_ms").asLong()).append(" ms");
        return facts.toString();
    }

    /**
     * Text from a model or a user made safe for a terminal: control characters other than newline and tab (an
     * escape sequence could rewrite the screen or the window title) are shown in caret notation (^[ for ESC).
     */
    static String printable(String text) {
        return TerminalText.visible(text);
    }

    private static String statusText(JsonNode data) {
        return data.path("status").isIntegralNumber() ? " " + data.path("status").asInt() : "";
    }

    private static String capitalise(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    private static String nullToDash(String s) {
        return s == null ? "-" : s;
    }
}
