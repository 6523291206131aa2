package dev.llmo.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmo.cli.terminal.TerminalText;
import dev.llmo.failure.CallError;
import dev.llmo.core.Conversation;
import dev.llmo.failure.LlmoException;
import dev.llmo.core.RunListener;
import dev.llmo.core.RunResult;
import dev.llmo.provider.StopReason;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Locale;

/**
 * Shows one model call: streamed text on stdout as it arrives (flushed per piece), or one JSON Lines object with
 * {@code --json}; usage, cost and timing on stderr when asked or when stderr is a terminal. Errors are not printed
 * here: they reach {@link ErrorReporter}.
 */
final class RunRenderer implements RunListener {
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN).build();

    private final PrintWriter out;
    private final PrintWriter err;
    private final boolean json;
    private final boolean showUsage;
    private final boolean showNotes;
    private final boolean terminal;
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
        this(out, err, json, showUsage, showNotes, false);
    }

    /** @param terminal stdout is a terminal: control characters of the answer are shown, not obeyed */
    RunRenderer(PrintWriter out, PrintWriter err, boolean json, boolean showUsage, boolean showNotes,
                boolean terminal) {
        this.terminal = terminal;
        this.out = out;
        this.err = err;
        this.json = json;
        this.showUsage = showUsage;
        this.showNotes = showNotes;
    }

    /** The conversation the call belongs to, for {@code --json}. */
    void conversation(String id) {
        this.conversationId = id;
    }

    @Override
    public void onText(String text) {
        if (json) {
            return;
        }
        out.print(TerminalText.forTerminal(text, terminal)); // flushed in onIdle, as soon as the call waits for more
        printed = true;
        endsWithNewline = text.endsWith("\n");
        unchecked += text.length();
        if (unchecked >= 1 << 14) {
            onIdle();
        }
    }

    /**
     * Flushes what {@link #onText} printed. A write that failed throws: the call is then stopped (a reader that went
     * away means nobody reads what is still paid for; a full disk, that the answer is lost).
     */
    @Override
    public void onIdle() {
        unchecked = 0;
        StdoutWriter.requireWritten(out);
    }

    @Override
    public void onRetry(int retry, Duration delay, LlmoException reason) {
        if (showNotes) {
            err.println("llmo: " + reason.getMessage() + "; retry " + retry + " in " + seconds(delay.toMillis()));
            err.flush();
        }
    }

    /** Ends the output of the call: the last newline, or the JSON line; then the usage line. */
    void finish(RunResult result) {
        if (json) {
            out.println(jsonLine(result, conversationId));
        } else if (printed && !endsWithNewline) {
            out.println(); // a shell prompt must not be glued to the answer, nor an error line to partial text
        }
        out.flush();
        if (!json && result.succeeded() && showNotes) {
            if (result.stopReason() == StopReason.MAX_TOKENS) {
                err.println("llmo: note: the answer was cut at the output token limit; raise it with "
                        + "-o max_tokens=N");
            } else if (result.stopReason() == StopReason.INCOMPLETE) {
                err.println("llmo: note: the provider says the answer is not finished (it paused or aborted it)");
            }
        }
        if (showUsage && (result.succeeded() || result.usage() != null)) {
            err.println(usageLine(result));
        }
        err.flush();
    }

    static String jsonLine(RunResult result, String conversationId) {
        ObjectNode line = JSON.createObjectNode();
        line.put("model", result.model().id());
        if (result.succeeded()) {
            line.put("text", result.text());
            line.put("stop_reason", result.stopReason().id());
        } else {
            line.putNull("text");
            line.putNull("stop_reason");
        }
        if (result.usage() == null) {
            line.putNull("usage");
        } else {
            line.putObject("usage").put("input_tokens", result.usage().inputTokens())
                    .put("output_tokens", result.usage().outputTokens());
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
        try {
            return JSON.writeValueAsString(line);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
    }

    static String usageLine(RunResult result) {
        StringBuilder line = new StringBuilder(result.model().id()).append(": ");
        if (result.usage() == null) {
            line.append("tokens unknown");
        } else {
            line.append(String.format(Locale.ROOT, "%,d in, %,d out tokens", result.usage().inputTokens(),
                    result.usage().outputTokens()));
        }
        line.append(", ").append(cost(result.costUsd()));
        line.append(", ").append(seconds(result.latencyMs()));
        if (result.ttftMs() != null) {
            line.append(" (first token ").append(seconds(result.ttftMs())).append(')');
        }
        return line.toString();
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

    static String seconds(long millis) {
        return millis < 1000 ? millis + " ms" : String.format(Locale.ROOT, "%.2f s", millis / 1000.0);
    }
}
