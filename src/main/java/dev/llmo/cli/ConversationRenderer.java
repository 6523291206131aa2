package dev.llmo.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmo.cli.terminal.TerminalText;
import dev.llmo.cost.Usd;
import dev.llmo.eventlog.ConversationSummary;
import dev.llmo.eventlog.Event;
import dev.llmo.eventlog.EventCodec;
import dev.llmo.eventlog.EventData;
import dev.llmo.eventlog.VerifyReport;
import dev.llmo.message.Part;
import dev.llmo.message.Usage;
import java.io.PrintWriter;
import java.util.ArrayList;
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
            EventData data = EventCodec.decode(event);
            if (data instanceof EventData.Message message) {
                out.println();
                out.println(bold + "── " + message.role().id() + " ──" + reset);
                parts(out, message.parts(), dim, reset);
            } else if (data instanceof EventData.Response response) {
                out.println();
                out.println(bold + "── assistant (" + response.model() + ") ──" + reset);
                parts(out, response.parts(), dim, reset);
                out.println(dim + "[" + responseFacts(response) + "]" + reset);
            } else if (data instanceof EventData.Retry retry) {
                out.println(dim + "[retry " + retry.attempt() + " of request " + retry.request() + ": "
                        + printable(retry.reason()) + ", after " + retry.delayMs() + " ms]" + reset);
            } else if (data instanceof EventData.ErrorEvent error) {
                out.println();
                out.println(bold + "── error" + (error.request() == null ? "" : " (request " + error.request() + ")")
                        + " ──" + reset);
                out.println(printable(error.kind() + statusText(error.status()) + ": "
                        + (error.message() == null ? "" : error.message())));
            }
        }
    }

    /**
     * The parts of a message as text: the answer text as it was printed; reasoning, a refusal, tool calls and
     * results, attachments marked as such (dim on a terminal); the citations last, as a numbered list of sources.
     */
    private static void parts(PrintWriter out, List<Part> parts, String dim, String reset) {
        StringBuilder text = new StringBuilder();
        List<Part.Citation> citations = new ArrayList<>();
        boolean textPending = false;
        for (Part part : parts) {
            if (part instanceof Part.Text t) {
                text.append(t.text());
                textPending = true;
                continue;
            }
            if (part instanceof Part.Citation citation) {
                citations.add(citation); // listed after the text, which it does not interrupt
                continue;
            }
            if (textPending) {
                textPending = false;
                out.println(printable(text.toString()));
                text.setLength(0);
            }
            if (part instanceof Part.Reasoning reasoning) {
                String shown = reasoning.redacted() || reasoning.text().isEmpty()
                        ? "(hidden by the provider)" : reasoning.text();
                out.println(dim + "[reasoning] " + printable(shown) + reset);
            } else if (part instanceof Part.Refusal refusal) {
                out.println("[refused] " + printable(refusal.text()));
            } else if (part instanceof Part.ToolCall call) {
                out.println(dim + "[tool call " + printable(call.id()) + "] " + printable(call.name()) + " "
                        + printable(call.arguments()) + reset);
            } else if (part instanceof Part.ToolResult result) {
                out.println(dim + "[tool result " + printable(result.callId()) + (result.isError() ? ", error" : "")
                        + "] " + reset + printable(result.content()));
            } else if (part instanceof Part.Attachment attachment) {
                out.println(dim + "[attachment " + printable(attachment.mediaType()) + " sha256:"
                        + attachment.sha256() + (attachment.name() == null ? "" : " " + printable(attachment.name()))
                        + "]" + reset);
            }
        }
        if (textPending || parts.isEmpty()) {
            out.println(printable(text.toString()));
        }
        for (int i = 0; i < citations.size(); i++) {
            Part.Citation citation = citations.get(i);
            out.println(dim + "[" + (i + 1) + "] " + printable(citation.url())
                    + (citation.title() == null ? "" : " " + printable(citation.title()))
                    + (citation.citedText() == null ? "" : ": \"" + printable(citation.citedText()) + "\"") + reset);
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
            EventData data = EventCodec.decode(event);
            if (data instanceof EventData.Message message) {
                out.println();
                out.println("## " + capitalise(message.role().id()));
                out.println();
                markdownParts(out, message.parts());
            } else if (data instanceof EventData.Response response) {
                out.println();
                out.println("## Assistant (" + response.model() + ")");
                out.println();
                markdownParts(out, response.parts());
                out.println();
                out.println("_" + responseFacts(response) + "_");
            } else if (data instanceof EventData.ErrorEvent error) {
                out.println();
                out.println("## Error");
                out.println();
                out.println("`" + error.kind() + statusText(error.status()) + "`: "
                        + (error.message() == null ? "" : error.message()));
            }
        }
    }

    private static void markdownParts(PrintWriter out, List<Part> parts) {
        StringBuilder text = new StringBuilder();
        List<Part.Citation> citations = new ArrayList<>();
        boolean textPending = false;
        for (Part part : parts) {
            if (part instanceof Part.Text t) {
                text.append(t.text());
                textPending = true;
                continue;
            }
            if (part instanceof Part.Citation citation) {
                citations.add(citation); // listed after the text, which it does not interrupt
                continue;
            }
            if (textPending) {
                textPending = false;
                out.println(text);
                text.setLength(0);
            }
            if (part instanceof Part.Reasoning reasoning) {
                out.println("> **Reasoning:** " + (reasoning.redacted() || reasoning.text().isEmpty()
                        ? "(hidden by the provider)" : reasoning.text().replace("\n", "\n> ")));
                out.println();
            } else if (part instanceof Part.Refusal refusal) {
                out.println("**Refused:** " + refusal.text());
            } else if (part instanceof Part.ToolCall call) {
                out.println("Tool call `" + call.id() + "`: `" + call.name() + "` `" + call.arguments() + "`");
            } else if (part instanceof Part.ToolResult result) {
                out.println("Tool result for `" + result.callId() + "`" + (result.isError() ? " (error)" : "") + ": "
                        + result.content());
            } else if (part instanceof Part.Attachment attachment) {
                out.println("Attachment " + (attachment.name() == null ? "" : "`" + attachment.name() + "` ")
                        + "(" + attachment.mediaType() + ", sha256:" + attachment.sha256() + ")");
            }
        }
        if (textPending || parts.isEmpty()) {
            out.println(text);
        }
        if (!citations.isEmpty()) {
            out.println();
            for (int i = 0; i < citations.size(); i++) {
                Part.Citation citation = citations.get(i);
                out.println((i + 1) + ". <" + citation.url() + ">" + (citation.title() == null ? ""
                        : " " + citation.title()) + (citation.citedText() == null ? ""
                        : ": \"" + citation.citedText() + "\""));
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
            e.put("v", event.version());
            e.put("seq", event.seq());
            e.put("ts", event.ts());
            e.put("type", event.type());
            e.set("data", event.data());
            if (event.content() != null) {
                e.set("content", event.content()); // the parts' content, by the digests data names them with
            }
        }
        out.println(mapper.writeValueAsString(root));
    }

    private static String responseFacts(EventData.Response response) {
        String stop = response.stopReason() == null ? "?" : response.stopReason();
        StringBuilder facts = new StringBuilder(stop);
        // an answer that failed is logged with stop reason "incomplete" already: say it once
        if (!response.complete() && !"incomplete".equals(stop)) {
            facts.append(", incomplete");
        }
        Usage usage = response.usage();
        if (usage != null) {
            facts.append(" · ").append(usage.inputTokens()).append(" in");
            if (usage.cacheReadTokens() > 0) {
                facts.append(" (").append(usage.cacheReadTokens()).append(" cached)");
            }
            if (usage.cacheWriteTokens() > 0) {
                facts.append(" (").append(usage.cacheWriteTokens()).append(" written to cache)");
            }
            facts.append(" / ").append(usage.outputTokens()).append(" out");
            if (usage.reasoningTokens() > 0) {
                facts.append(" (").append(usage.reasoningTokens()).append(" reasoning)");
            }
            facts.append(" tokens");
        }
        facts.append(" · ").append(Usd.formatCall(response.costMicroUsd())).append(" · ")
                .append(response.latencyMs()).append(" ms");
        return facts.toString();
    }

    /**
     * Text from a model or a user made safe for a terminal: control characters other than newline and tab (an
     * escape sequence could rewrite the screen or the window title) are shown in caret notation (^[ for ESC).
     */
    static String printable(String text) {
        return TerminalText.visible(text);
    }

    private static String statusText(Integer status) {
        return status == null ? "" : " " + status;
    }

    private static String capitalise(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    private static String nullToDash(String s) {
        return s == null ? "-" : s;
    }
}
