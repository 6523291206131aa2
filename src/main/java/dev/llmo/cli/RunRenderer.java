package dev.llmo.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmo.cli.terminal.AnswerExtras;
import dev.llmo.cli.terminal.TerminalText;
import dev.llmo.core.Conversation;
import dev.llmo.core.RunEvent;
import dev.llmo.core.RunListener;
import dev.llmo.core.RunResult;
import dev.llmo.cost.Usd;
import dev.llmo.failure.CallError;
import dev.llmo.failure.LlmoException;
import dev.llmo.message.Message;
import dev.llmo.message.Part;
import dev.llmo.message.Usage;
import dev.llmo.provider.http.Json;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Shows one model call: streamed text on stdout as it arrives (flushed whenever the call waits for more), or one JSON
 * Lines object with {@code --json}; the reasoning, a refusal, tool calls and cited sources as {@link AnswerExtras}
 * shows them; usage, cost and timing on stderr when asked or when stderr is a terminal. Errors are not printed here:
 * they reach {@link ErrorReporter}.
 */
final class RunRenderer implements RunListener {
    private final PrintWriter out;
    /** Text not yet written to {@link #out}: see {@link #text}. */
    private final StringBuilder pending = new StringBuilder();
    /** Whether {@link #pending} is all ASCII: then its bytes are copied to stdout, not encoded. */
    private boolean pendingAscii = true;
    private final PrintWriter err;
    private final boolean json;
    private final boolean showUsage;
    private final boolean showNotes;
    private final boolean terminal;
    private final AnswerExtras extras;
    private final ToolCallNames toolNames = new ToolCallNames();
    /** Chars printed since stdout was last checked: a stream that never waits must still notice a closed pipe. */
    private int unchecked;
    private String conversationId;
    private boolean printed;
    private boolean endsWithNewline = true;

    /**
     * @param showUsage the usage line on stderr
     * @param showNotes retry notices and warnings on stderr (a person is watching)
     */
    RunRenderer(PrintWriter out, PrintWriter err, boolean json, boolean showUsage, boolean showNotes) {
        this(out, err, json, showUsage, showNotes, false, AnswerExtras.Shown.NONE);
    }

    /**
     * @param terminal stdout is a terminal: control characters of the answer are shown, not obeyed
     * @param extras   what is shown of the answer besides its text
     */
    RunRenderer(PrintWriter out, PrintWriter err, boolean json, boolean showUsage, boolean showNotes,
                boolean terminal, AnswerExtras.Shown extras) {
        this.terminal = terminal;
        this.extras = new AnswerExtras(err, extras);
        this.extras.toolNames(toolNames);
        this.out = out;
        this.err = err;
        this.json = json;
        this.showUsage = showUsage;
        this.showNotes = showNotes;
    }

    /** The tools the call's requests declare, so that {@code --json} names each call's tool as {@code -T} does. */
    void toolsOffered(java.util.List<dev.llmo.tool.Tool> tools) {
        toolNames.offered(tools);
    }

    /** The conversation the call belongs to, for {@code --json}. */
    void conversation(String id) {
        this.conversationId = id;
    }

    @Override
    public void onEvent(RunEvent event) {
        if (event instanceof RunEvent.Text text) {
            extras.endReasoning(); // the reasoning's last line ends before the answer starts on the same screen
            text(text.text(), text.ascii());
        } else if (event instanceof RunEvent.Reasoning reasoning) {
            extras.reasoning(reasoning.text());
        } else if (event instanceof RunEvent.Idle) {
            extras.idle();
            flush();
        } else if (event instanceof RunEvent.Retrying retrying) {
            retrying(retrying.retry(), retrying.delay(), retrying.reason());
        } else if (event instanceof RunEvent.ToolRunning running) {
            endRoundLine();
            extras.toolRunning(running.tool(), running.request());
        } else if (event instanceof RunEvent.ToolProgress progress) {
            extras.toolProgress(progress.tool(), progress.line());
        } else if (event instanceof RunEvent.ToolDone done) {
            toolNames.seen(done);
            endRoundLine();
            extras.toolDone(done);
        }
    }

    /**
     * Each round's text ends its line before the tools run: on a terminal the tool lines come between them, and in a
     * pipe the rounds read as {@code log replay} prints them.
     */
    private void endRoundLine() {
        drain();
        if (!json && printed && !endsWithNewline) {
            out.println();
            endsWithNewline = true;
        }
        flush();
    }

    private void text(String text, boolean ascii) {
        if (json) {
            return;
        }
        // gathered, and written to out when flushed (in onIdle, as soon as the call waits for more): a PrintWriter's
        // print per token (a lock, a CharBuffer and an encoder pass each) was a tenth of a long stream's cost
        pending.append(TerminalText.forTerminal(text, terminal)); // ASCII stays ASCII (^[ for ESC)
        pendingAscii &= ascii;
        printed = true;
        endsWithNewline = text.endsWith("\n");
        unchecked += text.length();
        if (unchecked >= 1 << 14) {
            flush();
        }
    }

    /**
     * Flushes what was printed. A write that failed throws: the call is then stopped (a reader that went away means
     * nobody reads what is still paid for; a full disk, that the answer is lost).
     */
    private void flush() {
        unchecked = 0;
        drain();
        StdoutWriter.requireWritten(out);
    }

    /** Writes the gathered text to {@code out} (not flushed): before anything else is written there. */
    private void drain() {
        if (pending.length() > 0) {
            if (pendingAscii && out instanceof StdoutWriter stdout) {
                stdout.writeAscii(pending);
            } else {
                out.append(pending);
            }
            pending.setLength(0);
            pendingAscii = true;
        }
    }

    private void retrying(int retry, Duration delay, LlmoException reason) {
        if (showNotes) {
            err.println("llmo: " + extras.stderrText(reason.getMessage()) + "; retry " + retry + " in "
                    + seconds(delay.toMillis()));
            err.flush();
        }
    }

    /** Ends the output of the call: the last newline, or the JSON line; then the usage line. */
    void finish(RunResult result) {
        extras.endReasoning();
        drain();
        if (json) {
            out.println(jsonLine(result, conversationId, toolNames));
        } else if (printed && !endsWithNewline) {
            out.println(); // a shell prompt must not be glued to the answer, nor an error line to partial text
        }
        out.flush();
        if (!json) {
            extras.sources(out, result.answer());
            extras.afterAnswer(null, result.answer(), !result.succeeded());
            if (!result.succeeded() && !printed) {
                extras.heldBack(null, result.text()); // never streamed (it broke its schema): shown, not lost
            }
        }
        if (result.succeeded()) {
            extras.printStopNote(null, result);
        }
        if (showUsage && (result.succeeded() || result.usage() != null)) {
            err.println(usageLine(result));
        }
        err.flush();
    }

    static String jsonLine(RunResult result, String conversationId, ToolCallNames toolNames) {
        // the provider clients' mapper (decimals written plainly): a mapper of its own cost every run start-up time
        ObjectNode line = Json.object();
        line.put("model", result.model().id());
        Message answer = result.answer();
        if (result.succeeded()) {
            line.put("text", result.text());
            line.put("stop_reason", result.stopReason().id());
        } else {
            // what arrived of the answer before it failed (a cut stream, an answer that broke its schema): a script
            // reading the line must not lose what was printed and logged; null when none came
            line.put("text", answer.parts(Part.Text.class).isEmpty() ? null : result.text());
            // a refused or blocked answer says so; any other failure ended the call before the model said why
            line.put("stop_reason", result.stopReason() == null ? null : result.stopReason().id());
        }
        // the other parts as they arrived, also of a failed call: nothing the model said is dropped
        line.put("reasoning", answer.reasoning());
        List<Part.Refusal> refusals = answer.parts(Part.Refusal.class);
        line.put("refusal", refusals.isEmpty() ? null
                : refusals.stream().map(Part.Refusal::text).collect(Collectors.joining()));
        ArrayNode citations = line.putArray("citations");
        for (Part.Citation citation : answer.parts(Part.Citation.class)) {
            citations.addObject().put("url", citation.url()).put("title", citation.title())
                    .put("cited_text", citation.citedText());
        }
        ArrayNode toolCalls = line.putArray("tool_calls");
        for (Part.ToolCall call : answer.parts(Part.ToolCall.class)) {
            toolCalls.addObject().put("id", call.id()).put("name", toolNames.apply(call))
                    .put("arguments", call.arguments());
        }
        ArrayNode toolResults = line.putArray("tool_results");
        for (Part.ToolResult toolResult : answer.parts(Part.ToolResult.class)) {
            toolResults.addObject().put("call_id", toolResult.callId()).put("content", toolResult.content())
                    .put("is_error", toolResult.isError());
        }
        line.put("tool_rounds", toolRounds(answer));
        if (result.json() != null) {
            // the answer that followed its schema, as a value (its text is the same JSON, as a string)
            line.set("json", Json.parseExact(result.json()).orElseThrow());
        }
        if (result.usage() == null) {
            line.putNull("usage");
        } else {
            Usage usage = result.usage();
            line.putObject("usage").put("input_tokens", usage.inputTokens())
                    .put("output_tokens", usage.outputTokens()).put("reasoning_tokens", usage.reasoningTokens())
                    .put("cache_read_tokens", usage.cacheReadTokens())
                    .put("cache_write_tokens", usage.cacheWriteTokens());
        }
        line.put("cost_usd", result.costUsd());
        line.put("latency_ms", result.latencyMs());
        line.put("ttft_ms", result.ttftMs());
        line.put("conversation", conversationId);
        if (result.succeeded()) {
            line.putNull("error");
        } else {
            ObjectNode error = line.putObject("error");
            LlmoException e = result.error();
            error.put("kind", Conversation.errorKind(e));
            error.put("status", e instanceof CallError call ? call.status() : null);
            error.put("message", e.getMessage());
        }
        return Json.write(line);
    }

    static String usageLine(RunResult result) {
        StringBuilder line = new StringBuilder(result.model().id()).append(": ");
        if (result.usage() == null) {
            line.append("tokens unknown");
        } else {
            line.append(Usd.count(result.usage().inputTokens())).append(" in, ")
                    .append(Usd.count(result.usage().outputTokens())).append(" out tokens");
        }
        line.append(", ").append(cost(result.costUsd()));
        int rounds = toolRounds(result.answer());
        if (rounds > 0) {
            // the requests sent: a last round the budget refused was not
            int requests = result.requests();
            line.append(" for ").append(requests).append(requests == 1 ? " request (" : " requests (").append(rounds)
                    .append(rounds == 1 ? " round" : " rounds").append(" of tool calls)");
        }
        line.append(", ").append(seconds(result.latencyMs()));
        if (result.ttftMs() != null) {
            line.append(" (first token ").append(seconds(result.ttftMs())).append(')');
        }
        return line.toString();
    }

    /** How many rounds of tool results an answer holds: each unbroken run of results is one. */
    static int toolRounds(Message answer) {
        int rounds = 0;
        boolean inResults = false;
        for (Part part : answer.parts()) {
            boolean result = part instanceof Part.ToolResult;
            if (result && !inResults) {
                rounds++;
            }
            inResults = result;
        }
        return rounds;
    }

    static String cost(BigDecimal usd) {
        if (usd == null) {
            return "cost unknown";
        }
        if (usd.signum() == 0) {
            return "$0";
        }
        // at least 2 significant digits: a cost of $0.0000048 must not print as $0.00
        BigDecimal shown = usd.scale() > 2 && usd.compareTo(BigDecimal.valueOf(0.01)) < 0
                ? usd.round(new java.math.MathContext(2)) : usd.setScale(Math.max(2, Math.min(usd.scale(), 4)),
                java.math.RoundingMode.HALF_UP);
        return "$" + shown.stripTrailingZeros().toPlainString();
    }

    /** {@code 840 ms}, {@code 2.31 s}: by hand, as {@code %.2f} rounds (the formatter's first use costs ~7 ms). */
    static String seconds(long millis) {
        return millis < 1000 ? millis + " ms"
                : BigDecimal.valueOf(millis, 3).setScale(2, java.math.RoundingMode.HALF_UP).toPlainString() + " s";
    }
}
