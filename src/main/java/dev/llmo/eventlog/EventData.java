package dev.llmo.eventlog;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmo.message.Part;
import dev.llmo.message.Role;
import dev.llmo.message.Usage;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The typed events of a conversation log, one record per event type. {@link EventCodec} is the one place that turns
 * them into the lines of the file and back (format versions 1 and 2); everything else works with these records.
 * Hand one to {@link EventLog#append(EventData)}; read them back with {@link EventCodec#decode(Event)}.
 *
 * <p>History is referenced, never copied: a {@link Request} names the earlier {@link Message} and
 * {@link Response} events it sent by their seq ({@link SeqRange}), and a {@link Response}, {@link Retry} or
 * {@link ErrorEvent} names the request it answers by the request's seq. An assistant reply lives in its
 * {@link Response}; do not log it again as a {@link Message}.
 */
public sealed interface EventData {
    /** The event's {@code type} field, e.g. {@code "session.start"}. */
    String type();

    /**
     * {@code session.start}: the first event of a conversation, and of each later part of it ({@code run -c},
     * {@code chat --resume}).
     *
     * @param command the llmo command, e.g. {@code run}, {@code chat}, {@code chain run my_chain}
     * @param mode how this part runs its models; what continuing and replaying it depend on
     * @param models the models of the plan, as {@code provider/model}, in the plan's order
     * @param configSha256 {@link Sha256#of} the effective configuration, secrets left out; null when unknown
     * @param llmoVersion the llmo release that wrote the log
     */
    record SessionStart(String command, RunMode mode, List<String> models, String configSha256, String llmoVersion)
            implements EventData {
        public SessionStart {
            Objects.requireNonNull(command, "command");
            Objects.requireNonNull(mode, "mode");
            models = List.copyOf(models);
        }

        @Override
        public String type() {
            return "session.start";
        }
    }

    /**
     * {@code message}: a system or user message, or an assistant message that no response holds (a prefill, a
     * chain template).
     */
    record Message(Role role, List<Part> parts) implements EventData {
        private static final Set<Role> ROLES = Set.of(Role.SYSTEM, Role.USER, Role.ASSISTANT);

        public Message {
            if (!ROLES.contains(role)) {
                throw new IllegalArgumentException("message role must be system, user or assistant, not " + role);
            }
            parts = List.copyOf(parts);
        }

        public static Message system(String content) {
            return new Message(Role.SYSTEM, List.of(new Part.Text(content)));
        }

        public static Message user(String content) {
            return new Message(Role.USER, List.of(new Part.Text(content)));
        }

        /** The text parts joined. */
        public String text() {
            return new dev.llmo.message.Message(role, parts).text();
        }

        @Override
        public String type() {
            return "message";
        }
    }

    /**
     * {@code request}: one call to a model, before it is sent. Enough to replay it: the exact body's digest, and
     * which earlier events made up its context.
     *
     * @param model {@code provider/model}
     * @param options the request options (temperature, max tokens...); a non-integer number is recorded as its
     *     decimal string ({@code 0.7} becomes {@code "0.7"}) because events hold no floating-point numbers
     * @param bodySha256 {@link Sha256#of} the exact bytes of the HTTP body sent
     * @param bodyBytes the length of that body
     * @param context the message and response events sent as the conversation, oldest first; build it with
     *     {@link SeqRange#sent}
     * @param system the seq of the system message in force, or null when there was none
     * @param stream whether the answer was asked for as a stream, or null when not recorded
     * @param tools the seq of the {@link ToolsOffered} event naming the tools the request declared, or null for none
     * @param schema the JSON Schema the answer was asked to follow (structured output), or null for none
     */
    record Request(String model, Map<String, ?> options, String bodySha256, long bodyBytes, List<SeqRange> context,
                   Long system, Boolean stream, Long tools, RequestedSchema schema) implements EventData {
        public Request(String model, Map<String, ?> options, String bodySha256, long bodyBytes,
                       List<SeqRange> context) {
            this(model, options, bodySha256, bodyBytes, context, null, null, null, null);
        }

        public Request(String model, Map<String, ?> options, String bodySha256, long bodyBytes,
                       List<SeqRange> context, Long system, Boolean stream, Long tools) {
            this(model, options, bodySha256, bodyBytes, context, system, stream, tools, null);
        }

        public Request {
            Objects.requireNonNull(model, "model");
            if (!Sha256.isDigest(bodySha256)) {
                throw new IllegalArgumentException("bodySha256 must be sha256:<64 hex>, use Sha256.of(body)");
            }
            // in their order: a replay rebuilds the request body from them, and a body's bytes follow that order
            options = options == null ? Map.of() : java.util.Collections.unmodifiableMap(
                    new java.util.LinkedHashMap<>(options));
            context = List.copyOf(context);
        }

        @Override
        public String type() {
            return "request";
        }
    }

    /**
     * The JSON Schema of a request's structured output, as the request sent it (a replay rebuilds the body from it).
     *
     * @param name  the name the body gives it
     * @param json  the schema sent, as JSON text (text: a schema may hold decimals, which an event may not)
     * @param multi whether the answer is a list of objects ({@code --schema-multi}): the schema sent wraps it as
     *              {@code {"items": [...]}}, and the list is what was printed
     */
    record RequestedSchema(String name, String json, boolean multi) {
        public RequestedSchema {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(json, "json");
        }
    }

    /**
     * {@code response}: what a model answered to the request with seq {@code request}: every part it sent, in order.
     *
     * @param stopReason {@code end}, {@code max_tokens}, {@code tool_call}, ... or {@code incomplete} for a stream
     *     cut mid-way
     * @param usage null when the provider sent none
     * @param costMicroUsd null when the price (or the usage) is unknown: an unknown cost is not zero
     * @param ttftMs time to first token; null when not streamed
     * @param complete false when the stream was cut and the parts are what arrived before
     */
    record Response(long request, String model, List<Part> parts, String stopReason, Usage usage, Long costMicroUsd,
                    long latencyMs, Long ttftMs, boolean complete) implements EventData {
        public Response {
            Objects.requireNonNull(model, "model");
            parts = List.copyOf(parts);
        }

        /** A response of answer text only. */
        public Response(long request, String model, String text, String stopReason, Usage usage, Long costMicroUsd,
                        long latencyMs, Long ttftMs, boolean complete) {
            this(request, model, text.isEmpty() ? List.of() : List.of(new Part.Text(text)), stopReason, usage,
                    costMicroUsd, latencyMs, ttftMs, complete);
        }

        /** The answer text: the text parts joined. */
        public String text() {
            return answer().text();
        }

        /** The answer as an assistant message. */
        public dev.llmo.message.Message answer() {
            return new dev.llmo.message.Message(Role.ASSISTANT, parts);
        }

        @Override
        public String type() {
            return "response";
        }
    }

    /**
     * {@code tool.offer}: the tools the requests after it declare to the model (a request names this event by seq), with
     * everything needed to declare them again on replay without asking any server.
     */
    record ToolsOffered(List<OfferedTool> tools) implements EventData {
        public ToolsOffered {
            tools = List.copyOf(tools);
        }

        @Override
        public String type() {
            return "tool.offer";
        }
    }

    /**
     * One tool of a {@link ToolsOffered}.
     *
     * @param name         its full name ({@code SERVER.TOOL} or the command tool's name)
     * @param wireName     the name the request declared it by (a wire format may not allow the full name)
     * @param source       {@code mcp:SERVER} or {@code command}
     * @param schemaJson   the JSON Schema of its arguments as JSON text (text: a schema may hold decimals, which an
     *                     event may not)
     * @param schemaSha256 the schema's canonical SHA-256, hex
     */
    record OfferedTool(String name, String wireName, String source, String description, String schemaJson,
                       String schemaSha256) {
        public OfferedTool {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(wireName, "wireName");
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(description, "description");
            Objects.requireNonNull(schemaJson, "schemaJson");
            Objects.requireNonNull(schemaSha256, "schemaSha256");
        }
    }

    /**
     * {@code tool.approval}: who decided the tool call {@code callId} of the response before it, and how.
     *
     * @param allowed   whether it may run
     * @param decidedBy the rule ({@code tool_policy rule 2 (file:line)}), the flag ({@code --yolo}, {@code --approve
     *                  fs.*}) or the person ({@code you}) that decided
     */
    record ToolApproval(String callId, String tool, boolean allowed, String decidedBy) implements EventData {
        public ToolApproval {
            Objects.requireNonNull(callId, "callId");
            Objects.requireNonNull(tool, "tool");
            Objects.requireNonNull(decidedBy, "decidedBy");
        }

        @Override
        public String type() {
            return "tool.approval";
        }
    }

    /** {@code tool.call}: the tool call {@code callId} of the response before it starts running. */
    record ToolCall(String callId, String tool, String source, String schemaSha256) implements EventData {
        public ToolCall {
            Objects.requireNonNull(callId, "callId");
            Objects.requireNonNull(tool, "tool");
            Objects.requireNonNull(source, "source");
        }

        @Override
        public String type() {
            return "tool.call";
        }
    }

    /**
     * {@code tool.result}: what the tool call {@code result.callId()} gave back (or why it did not run), as the next
     * request sends it; the results for the answer to one request together are one tool turn of the history.
     *
     * @param request    the seq of the request whose answer made the call (calls of several models interleave)
     * @param durationMs how long the tool ran; 0 when it did not run
     */
    record ToolResult(long request, String tool, Part.ToolResult result, long durationMs) implements EventData {
        public ToolResult {
            Objects.requireNonNull(tool, "tool");
            Objects.requireNonNull(result, "result");
        }

        @Override
        public String type() {
            return "tool.result";
        }
    }

    /**
     * {@code retry}: the request with seq {@code request} failed and is sent again after {@code delayMs}.
     *
     * @param attempt 1 for the first retry
     * @param status the HTTP status that caused it, null for a connection error or timeout
     */
    record Retry(long request, int attempt, String reason, Integer status, long delayMs) implements EventData {
        @Override
        public String type() {
            return "retry";
        }
    }

    /**
     * {@code error}: a failure, of the request with seq {@code request} (null when no request was sent).
     *
     * @param kind {@code rate_limited}, {@code auth}, {@code timeout}, {@code budget}, ... as in {@code --json}
     * @param status the HTTP status, or null
     * @param message the provider's or llmo's message, never a secret
     */
    record ErrorEvent(Long request, String kind, Integer status, String message) implements EventData {
        public ErrorEvent {
            Objects.requireNonNull(kind, "kind");
        }

        @Override
        public String type() {
            return "error";
        }
    }

    /**
     * {@code message.retract}: takes the answer of the response (or message) event {@code seq} out of the history
     * (chat's /retry); that event stays in the log.
     */
    record Retract(long seq) implements EventData {
        @Override
        public String type() {
            return "message.retract";
        }
    }

    /**
     * {@code chain.step}: a chain step starts (or is skipped); the calls after it, up to the next one, are its own.
     *
     * @param index the step's position in the chain, from 0
     * @param iteration 1 for the first run of a step, then 2, 3, ... while it repeats
     */
    record ChainStep(String chain, String step, int index, int iteration, boolean skipped, List<String> models)
            implements EventData {
        public ChainStep {
            models = List.copyOf(models);
        }

        @Override
        public String type() {
            return "chain.step";
        }
    }

    /**
     * {@code batch.row}: one finished call of a batch record (one dataset row on one model): written once its answer
     * (or its failure) came, so that a resumed batch never sends it again.
     *
     * @param row          the row's position in the dataset, from 0
     * @param rowId        the row's {@code id} column, or its number (from 1) when it has none
     * @param modelIndex   the model's position in the batch's models
     * @param model        {@code provider/model}
     * @param inputSha256  {@link Sha256#of} the row's filled prompt: a resume checks the dataset still says the same
     * @param bodySha256   {@link Sha256#of} the exact HTTP body sent, or null when nothing was sent
     * @param costMicroUsd null when the price (or the usage) is unknown
     * @param errorKind    why the call failed ({@code rate_limited}, ...), or null when it succeeded
     * @param asserts      per assertion of the batch, whether the result passed it; null for a judge (its verdict is
     *                     a {@link BatchJudge}); empty without assertions
     */
    record BatchRow(long row, String rowId, int modelIndex, String model, String inputSha256, String bodySha256,
                    List<Part> parts, String stopReason, Usage usage, Long costMicroUsd, long latencyMs, Long ttftMs,
                    String errorKind, Integer errorStatus, String errorMessage, List<Boolean> asserts)
            implements EventData {
        public BatchRow {
            Objects.requireNonNull(rowId, "rowId");
            Objects.requireNonNull(model, "model");
            parts = List.copyOf(parts);
            asserts = java.util.Collections.unmodifiableList(new ArrayList<>(asserts));
        }

        /** The answer text: the text parts joined. */
        public String text() {
            return new dev.llmo.message.Message(Role.ASSISTANT, parts).text();
        }

        public boolean succeeded() {
            return errorKind == null;
        }

        @Override
        public String type() {
            return "batch.row";
        }
    }

    /**
     * {@code batch.judge}: a model's verdict on the answer of one row on one model (a {@code judge} assertion); its
     * cost counts like any call's.
     *
     * @param assertion the judge assertion's position among the batch's assertions
     * @param pass      the verdict, or null when the judge's call failed ({@code errorMessage} says why)
     * @param parts     the judge's answer (its reasons)
     */
    record BatchJudge(long row, int modelIndex, int assertion, String judge, Boolean pass, List<Part> parts,
                      Usage usage, Long costMicroUsd, long latencyMs, String errorMessage) implements EventData {
        public BatchJudge {
            Objects.requireNonNull(judge, "judge");
            parts = List.copyOf(parts);
        }

        /** The judge's answer text. */
        public String text() {
            return new dev.llmo.message.Message(Role.ASSISTANT, parts).text();
        }

        @Override
        public String type() {
            return "batch.judge";
        }
    }

    /**
     * {@code session.end}: the last event; writing it also syncs the file to disk.
     *
     * @param status {@code ok}, {@code failed} or {@code interrupted}
     * @param exitCode the exit code of the process (or of the chat turn)
     * @param costMicroUsd the whole conversation's cost
     */
    record SessionEnd(String status, int exitCode, long costMicroUsd) implements EventData {
        @Override
        public String type() {
            return "session.end";
        }
    }

    /**
     * Any other event type (chat's {@code chat.save}, and any type a later llmo writes): {@code data} is checked
     * when it is written (no floats).
     */
    record Custom(String type, ObjectNode data) implements EventData {
        public Custom {
            if (type == null || type.isEmpty()) {
                throw new IllegalArgumentException("an event needs a type");
            }
            data = data.deepCopy();
        }

        @Override
        public ObjectNode data() {
            return data.deepCopy();
        }
    }

    /**
     * An inclusive range of seqs, {@code [from, to]}, written as a two-element array: the message and response
     * events inside it were sent (other events inside it, such as requests, are not content). A whole chat
     * history is one range, so a request's size does not grow with the conversation.
     */
    record SeqRange(long from, long to) {
        public SeqRange {
            if (from < 0 || to < from) {
                throw new IllegalArgumentException("bad seq range [" + from + ", " + to + "]");
            }
        }

        /**
         * The ranges for a request that sent {@code sent} out of a conversation whose message and response events
         * are {@code history} (seqs, oldest first): one range per unbroken run of sent events, so sending the whole
         * history is one range however long it is.
         */
        public static List<SeqRange> sent(List<Long> history, Collection<Long> sent) {
            Set<Long> included = new java.util.HashSet<>(sent);
            List<SeqRange> ranges = new ArrayList<>();
            long from = -1;
            long to = -1;
            for (long seq : history) {
                if (included.contains(seq)) {
                    if (from < 0) {
                        from = seq;
                    }
                    to = seq;
                } else if (from >= 0) {
                    ranges.add(new SeqRange(from, to));
                    from = -1;
                }
            }
            if (from >= 0) {
                ranges.add(new SeqRange(from, to));
            }
            return ranges;
        }

        /** The fewest ranges covering exactly {@code seqs} (and nothing between them). */
        public static List<SeqRange> of(Collection<Long> seqs) {
            List<SeqRange> ranges = new ArrayList<>();
            long from = -1;
            long to = -1;
            for (long seq : new TreeSet<>(seqs)) {
                if (from >= 0 && seq == to + 1) {
                    to = seq;
                    continue;
                }
                if (from >= 0) {
                    ranges.add(new SeqRange(from, to));
                }
                from = seq;
                to = seq;
            }
            if (from >= 0) {
                ranges.add(new SeqRange(from, to));
            }
            return ranges;
        }
    }
}
