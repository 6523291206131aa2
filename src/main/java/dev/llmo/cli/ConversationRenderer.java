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
import dev.llmo.failure.ExitCode;
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
    private static final String HIDDEN = "(hidden by the provider)";

    private final String id;
    private final List<Event> events;
    /** {@link #events}, each decoded once. */
    private final List<EventData> decoded;
    private final ConversationSummary summary;
    private final VerifyReport report;

    /** Each offered tool's full name ({@code fs.read_file}) by the name requests declared it by ({@code fs_read_file}). */
    private final ToolCallNames toolNames;

    /** The size in bytes of a blob of the content store by its hash, -1 when it is not there. */
    private final java.util.function.ToLongFunction<String> blobSize;

    ConversationRenderer(String id, List<Event> events, VerifyReport report) {
        this(id, events, report, sha256 -> -1);
    }

    /** @param blobSize the size of an attachment's blob (log show names type, name and size) */
    ConversationRenderer(String id, List<Event> events, VerifyReport report,
                         java.util.function.ToLongFunction<String> blobSize) {
        this.blobSize = blobSize;
        this.id = id;
        this.events = events;
        this.decoded = events.stream().map(EventCodec::decode).toList();
        this.summary = ConversationSummary.of(id, events, decoded);
        this.report = report;
        this.toolNames = ToolCallNames.recorded(decoded);
    }

    /**
     * The parts with each tool call under its tool's full name, as the tool's own lines show it: the log keeps the
     * name the model called, which a wire format may have made of it ({@code fs_read_file} for {@code fs.read_file}).
     */
    private List<Part> named(List<Part> parts) {
        List<Part> named = new java.util.ArrayList<>(parts.size());
        for (Part part : parts) {
            named.add(part instanceof Part.ToolCall call
                    ? new Part.ToolCall(call.id(), toolNames.apply(call), call.arguments()) : part);
        }
        return named;
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
        String bold = color ? "\u001b[1m" : "";
        String dim = color ? "\u001b[2m" : "";
        String reset = color ? "\u001b[0m" : "";
        out.println(bold + "conversation " + id + reset);
        out.println("started  " + nullToDash(summary.started()) + (summary.command() == null ? ""
                : "  (llmo " + printable(summary.command()) + ")"));
        out.println("models   " + (summary.models().isEmpty() ? "-" : printable(String.join(", ", summary.models()))));
        out.println("cost     " + usd(summary));
        out.println("chain    " + chain());
        for (int i = 0; i < decoded.size(); i++) {
            EventData data = decoded.get(i);
            if (i == report.events() && !report.ok()) {
                out.println();
                out.println(bold + breakMark() + reset);
            }
            if (data instanceof EventData.Message message) {
                out.println();
                out.println(bold + "── " + message.role().id() + " ──" + reset);
                walk(named(message.parts()), new TextParts(out, dim, reset, blobSize));
            } else if (data instanceof EventData.Response response) {
                out.println();
                out.println(bold + "── assistant (" + printable(response.model()) + ") ──" + reset);
                walk(named(response.parts()), new TextParts(out, dim, reset, blobSize));
                out.println(dim + "[" + responseFacts(response) + "]" + reset);
            } else if (data instanceof EventData.ToolApproval approval) {
                out.println(dim + "[" + printable(approval.tool()) + " " + printable(approval.callId()) + ": "
                        + (approval.allowed() ? "allowed" : "refused") + " by " + printable(approval.decidedBy()) + "]"
                        + reset);
            } else if (data instanceof EventData.ToolResult result) {
                out.println();
                out.println(bold + "── tool " + printable(result.tool()) + " (" + result.durationMs() + " ms) ──" + reset);
                walk(List.of(result.result()), new TextParts(out, dim, reset, blobSize));
            } else if (data instanceof EventData.Retry retry) {
                out.println(dim + "[retry " + retry.attempt() + " of request " + retry.request() + ": "
                        + printable(retry.reason()) + ", after " + retry.delayMs() + " ms]" + reset);
            } else if (data instanceof EventData.ErrorEvent error) {
                out.println();
                out.println(bold + "── error" + (error.request() == null ? "" : " (request " + error.request() + ")")
                        + " ──" + reset);
                out.println(printable(saysHowItStopped(error) ? error.message()
                        : error.kind() + statusText(error.status()) + ": " + nullToEmpty(error.message())));
            }
        }
        if (!report.ok() && report.events() >= decoded.size()) {
            out.println();
            out.println(bold + breakMark() + reset);
        }
    }

    /**
     * Where the chain breaks, among the events shown: the first {@code report.events()} lines verified and were read
     * in order, so the break comes before the event of that index (or after the last one shown, when the bad line
     * was not an event at all: torn or malformed).
     */
    private String breakMark() {
        return "── chain broken here, " + report.problem().message() + ": what follows is not vouched for ──";
    }

    void markdown(PrintWriter out) {
        out.println("# Conversation " + id);
        out.println();
        out.println("- started: " + nullToDash(summary.started()));
        if (summary.command() != null) {
            out.println("- command: `llmo " + summary.command() + "`");
        }
        out.println("- models: " + (summary.models().isEmpty() ? "-" : String.join(", ", summary.models())));
        out.println("- cost: " + usd(summary));
        out.println("- chain: " + chain());
        for (EventData data : decoded) {
            if (data instanceof EventData.Message message) {
                out.println();
                out.println("## " + capitalise(message.role().id()));
                out.println();
                walk(named(message.parts()), new MarkdownParts(out, blobSize));
            } else if (data instanceof EventData.Response response) {
                out.println();
                out.println("## Assistant (" + response.model() + ")");
                out.println();
                walk(named(response.parts()), new MarkdownParts(out, blobSize));
                out.println();
                out.println("_" + responseFacts(response) + "_");
            } else if (data instanceof EventData.ToolApproval approval) {
                out.println();
                out.println("_" + approval.tool() + " " + approval.callId() + ": " + (approval.allowed() ? "allowed"
                        : "refused") + " by " + approval.decidedBy() + "_");
            } else if (data instanceof EventData.ToolResult result) {
                out.println();
                out.println("## Tool " + result.tool());
                out.println();
                walk(List.of(result.result()), new MarkdownParts(out, blobSize));
            } else if (data instanceof EventData.ErrorEvent error) {
                out.println();
                out.println("## Error");
                out.println();
                out.println(saysHowItStopped(error) ? error.message()
                        : "`" + error.kind() + statusText(error.status()) + "`: " + nullToEmpty(error.message()));
            }
        }
    }

    /**
     * The one walk over a message's parts, whatever the rendering: consecutive text joined into one block, every
     * other part where it stands, the citations gathered and shown last (they do not interrupt the text they cite).
     */
    private static void walk(List<Part> parts, PartRendering rendering) {
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
                citations.add(citation);
                continue;
            }
            if (textPending) {
                textPending = false;
                rendering.text(text.toString());
                text.setLength(0);
            }
            if (part instanceof Part.Reasoning reasoning) {
                rendering.reasoning(reasoning);
            } else if (part instanceof Part.Refusal refusal) {
                rendering.refusal(refusal);
            } else if (part instanceof Part.ToolCall call) {
                rendering.toolCall(call);
            } else if (part instanceof Part.ToolResult result) {
                rendering.toolResult(result);
            } else if (part instanceof Part.Attachment attachment) {
                rendering.attachment(attachment);
            }
        }
        if (textPending || parts.isEmpty()) {
            rendering.text(text.toString()); // an empty message still shows as one (empty) line
        }
        rendering.citations(citations);
    }

    /** How {@link #walk} shows each kind of part: as text for a terminal or as Markdown. */
    private sealed interface PartRendering {
        void text(String text);

        void reasoning(Part.Reasoning reasoning);

        void refusal(Part.Refusal refusal);

        void toolCall(Part.ToolCall call);

        void toolResult(Part.ToolResult result);

        void attachment(Part.Attachment attachment);

        /** Every citation of the message, possibly none. */
        void citations(List<Part.Citation> citations);
    }

    /**
     * For {@code log show}: reasoning, tool calls and results, attachments and sources marked as such and dim on a
     * terminal; whatever came from a model or a user made {@link #printable}.
     */
    private record TextParts(PrintWriter out, String dim, String reset,
                             java.util.function.ToLongFunction<String> blobSize) implements PartRendering {
        @Override
        public void text(String text) {
            out.println(printable(text));
        }

        @Override
        public void reasoning(Part.Reasoning reasoning) {
            out.println(dim + "[reasoning] " + printable(hidden(reasoning) ? HIDDEN : reasoning.text()) + reset);
        }

        @Override
        public void refusal(Part.Refusal refusal) {
            out.println("[refused] " + printable(refusal.text()));
        }

        @Override
        public void toolCall(Part.ToolCall call) {
            out.println(dim + "[tool call " + printable(call.id()) + "] " + printable(call.name()) + " "
                    + printable(call.arguments()) + reset);
        }

        @Override
        public void toolResult(Part.ToolResult result) {
            out.println(dim + "[tool result " + printable(result.callId()) + (result.isError() ? ", error" : "")
                    + "] " + reset + printable(result.content()));
        }

        @Override
        public void attachment(Part.Attachment attachment) {
            out.println(dim + "[attachment " + printable(attachment.mediaType()) + size(blobSize, attachment, " ")
                    + " sha256:" + attachment.sha256()
                    + (attachment.name() == null ? "" : " " + printable(attachment.name())) + "]" + reset);
        }

        @Override
        public void citations(List<Part.Citation> citations) {
            for (int i = 0; i < citations.size(); i++) {
                Part.Citation citation = citations.get(i);
                out.println(dim + "[" + (i + 1) + "] " + printable(citation.url())
                        + (citation.title() == null ? "" : " " + printable(citation.title()))
                        + (citation.citedText() == null ? "" : ": \"" + printable(citation.citedText()) + "\"")
                        + reset);
            }
        }
    }

    /** For {@code log export}: the text as it is, the other parts in Markdown, the sources as a numbered list. */
    private record MarkdownParts(PrintWriter out, java.util.function.ToLongFunction<String> blobSize)
            implements PartRendering {
        @Override
        public void text(String text) {
            out.println(text);
        }

        @Override
        public void reasoning(Part.Reasoning reasoning) {
            out.println("> **Reasoning:** " + (hidden(reasoning) ? HIDDEN : reasoning.text().replace("\n", "\n> ")));
            out.println();
        }

        @Override
        public void refusal(Part.Refusal refusal) {
            out.println("**Refused:** " + refusal.text());
        }

        @Override
        public void toolCall(Part.ToolCall call) {
            out.println("Tool call `" + call.id() + "`: `" + call.name() + "` `" + call.arguments() + "`");
        }

        @Override
        public void toolResult(Part.ToolResult result) {
            out.println("Tool result for `" + result.callId() + "`" + (result.isError() ? " (error)" : "") + ": "
                    + result.content());
        }

        @Override
        public void attachment(Part.Attachment attachment) {
            out.println("Attachment " + (attachment.name() == null ? "" : "`" + attachment.name() + "` ")
                    + "(" + attachment.mediaType() + size(blobSize, attachment, ", ") + ", sha256:"
                    + attachment.sha256() + ")");
        }

        @Override
        public void citations(List<Part.Citation> citations) {
            if (citations.isEmpty()) {
                return;
            }
            out.println();
            for (int i = 0; i < citations.size(); i++) {
                Part.Citation citation = citations.get(i);
                out.println((i + 1) + ". <" + citation.url() + ">"
                        + (citation.title() == null ? "" : " " + citation.title())
                        + (citation.citedText() == null ? "" : ": \"" + citation.citedText() + "\""));
            }
        }
    }

    /** {@code separator} and the blob's size ({@code 12,345 bytes}, or {@code missing}); nothing when unknown. */
    private static String size(java.util.function.ToLongFunction<String> blobSize, Part.Attachment attachment,
                               String separator) {
        long bytes = blobSize.applyAsLong(attachment.sha256());
        return bytes == -1 ? "" : bytes == -2 ? separator + "blob missing"
                : separator + String.format(java.util.Locale.ROOT, "%,d bytes", bytes);
    }

    /** Reasoning the provider did not let us see: redacted, or sent without its text. */
    private static boolean hidden(Part.Reasoning reasoning) {
        return reasoning.redacted() || reasoning.text().isEmpty();
    }

    void json(PrintWriter out) throws Exception {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        root.put("id", id);
        root.put("started", summary.started());
        root.put("command", summary.command());
        root.set("models", mapper.valueToTree(summary.models()));
        root.put("cost_micro_usd", summary.costUnknown() ? null : summary.costMicroUsd());
        root.put("unknown_price_calls", summary.unknownPriceResponses());
        root.put("verified", report.ok());
        root.put("problem", report.ok() ? null : report.problem().message());
        // every attachment once, with its blob's size (null when the blob is missing): the events name them by hash
        ArrayNode attachments = root.putArray("attachments");
        java.util.Set<String> listed = new java.util.HashSet<>();
        for (EventData data : decoded) {
            List<Part> parts = data instanceof EventData.Message m ? m.parts()
                    : data instanceof EventData.Response r ? r.parts() : List.of();
            for (Part part : parts) {
                if (part instanceof Part.Attachment a && listed.add(a.sha256())) {
                    long bytes = blobSize.applyAsLong(a.sha256());
                    ObjectNode item = attachments.addObject().put("media_type", a.mediaType()).put("name", a.name())
                            .put("sha256", a.sha256());
                    if (bytes >= 0) {
                        item.put("bytes", bytes);
                    } else {
                        item.putNull("bytes");
                    }
                }
            }
        }
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

    /**
     * Whether an error's message already says how the run was stopped: a run stopped from outside (Ctrl-C, SIGTERM,
     * SIGHUP, stdout closed) records the message the user saw, which starts with it ({@code interrupted: the request
     * to … was cancelled}, {@code terminated (SIGTERM): …}), so its kind in front would say it twice.
     */
    private static boolean saysHowItStopped(EventData.ErrorEvent error) {
        if (error.message() == null) {
            return false;
        }
        for (ExitCode code : ExitCode.values()) {
            if (code.stoppedFromOutside() && code.name().toLowerCase(java.util.Locale.ROOT).equals(error.kind())) {
                return true;
            }
        }
        return false;
    }

    private static String nullToEmpty(String text) {
        return text == null ? "" : text;
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
