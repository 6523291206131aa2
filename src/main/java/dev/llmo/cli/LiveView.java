package dev.llmo.cli;

import dev.llmo.cli.terminal.AnswerExtras;
import dev.llmo.cli.terminal.Columns;
import dev.llmo.cli.terminal.TerminalText;
import dev.llmo.config.ModelRef;
import dev.llmo.config.Pricing;
import dev.llmo.core.RunEvent;
import dev.llmo.core.RunResult;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * The view of a fan-out on a terminal: one line per model (spinner, tokens so far, elapsed time, cost, the tail of
 * the answer), redrawn in place with ANSI cursor movement about ten times a second; when every model has ended the
 * lines are erased and the answers shown in full, each under a header with its stats ({@code --compare} adds a
 * table). Only plain ANSI: no terminal library is needed for this.
 */
final class LiveView implements MultiRunView {
    private static final String[] SPINNER = WaitingSpinner.FRAMES;
    private static final long FRAME_MS = WaitingSpinner.FRAME_MS;

    private final PrintWriter out;
    private final List<String> labels;
    private final List<ModelRef> models;
    private final boolean color;
    private final boolean compare;
    private final int width;
    private final LongSupplier nanoTime;
    private final AnswerExtras extras;
    private final Row[] rows;
    private final int labelWidth;
    private int drawn;
    private int frame;
    private Thread ticker;

    /** What the view knows of one call. */
    private static final class Row {
        final StringBuilder text = new StringBuilder();
        int pieces;
        long startedNanos = -1;
        String note;
        RunResult result;
    }

    /**
     * @param width  the terminal's width in columns: a line longer than that would wrap and spoil the redraw
     * @param extras each model's reasoning, refusal and tool calls on stderr, and its sources under its answer,
     *               once the view is erased (stderr is most often the same screen: it would spoil the redraw)
     */
    LiveView(PrintWriter out, List<String> labels, List<ModelRef> models, boolean color, boolean compare, int width,
             LongSupplier nanoTime, AnswerExtras extras) {
        this.extras = extras;
        this.out = out;
        this.labels = List.copyOf(labels);
        this.models = List.copyOf(models);
        this.color = color;
        this.compare = compare;
        this.width = Math.max(20, width);
        this.nanoTime = nanoTime;
        this.rows = new Row[labels.size()];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = new Row();
        }
        this.labelWidth = Math.min(32, labels.stream().mapToInt(Columns::of).max().orElse(0));
    }

    @Override
    public void begin() {
        synchronized (this) {
            draw();
        }
        ticker = new Thread(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    Thread.sleep(FRAME_MS);
                    synchronized (this) {
                        frame++;
                        draw();
                    }
                }
            } catch (InterruptedException e) {
                // closed
            }
        }, "llmo-live-view");
        ticker.setDaemon(true);
        ticker.start();
    }

    @Override
    public synchronized void started(int index, ModelRef model) {
        rows[index].startedNanos = nanoTime.getAsLong();
    }

    @Override
    public void content(RunEvent.OfCall event) {
        int index = event.call().index();
        if (event instanceof RunEvent.Text text) {
            text(index, text.text(), text.pieces());
        } else if (event instanceof RunEvent.Idle) {
            idle();
        } else if (event instanceof RunEvent.Retrying retrying) {
            retrying(index, retrying.retry(), retrying.delay());
        }
    }

    private synchronized void text(int index, String text, int pieces) {
        rows[index].text.append(text);
        rows[index].pieces += pieces;
        rows[index].note = null;
    }

    /**
     * A terminal that went away (the window closed, stdout shut) stops the run as a closed pipe does in the other
     * views. Every frame is flushed as it is drawn, so the writer already knows: asking it costs a flag check.
     */
    private void idle() {
        StdoutWriter.requireWritten(out);
    }

    private synchronized void retrying(int index, int retry, Duration delay) {
        rows[index].note = "retry " + retry + " in " + RunRenderer.seconds(delay.toMillis());
    }

    @Override
    public synchronized void finished(int index, RunResult result) {
        rows[index].result = result;
        draw();
    }

    @Override
    public void done(List<RunResult> results) {
        close();
        synchronized (this) {
            erase();
            out.flush();
            AnswerSections.printExtras(extras, labels, results);
            AnswerSections.printAll(out, labels, results, color, true, extras);
            if (compare) {
                out.println();
                CompareTable.lines(labels, results).forEach(out::println);
            }
            out.flush();
        }
    }

    @Override
    public void close() {
        Thread running = ticker;
        if (running != null) {
            running.interrupt();
            try {
                running.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ticker = null;
        }
    }

    /** Redraws every line in place: up to the first line, then each line cleared and written again. */
    private void draw() {
        StringBuilder frameText = new StringBuilder();
        if (drawn > 0) {
            frameText.append("\u001b[").append(drawn).append('F');
        }
        for (int i = 0; i < rows.length; i++) {
            frameText.append("\u001b[2K").append(line(i)).append('\n');
        }
        drawn = rows.length;
        out.print(frameText);
        out.flush();
    }

    private void erase() {
        if (drawn > 0) {
            out.print("\u001b[" + drawn + "F\u001b[J");
            drawn = 0;
        }
    }

    /** One model's line, cut to the terminal's width; only the status sign is coloured. */
    String line(int index) {
        Row row = rows[index];
        String sign;
        String signColor;
        StringBuilder rest = new StringBuilder(" ").append(pad(labels.get(index))).append("  ");
        RunResult result = row.result;
        if (result != null) {
            sign = result.succeeded() ? "✓" : "✗";
            signColor = result.succeeded() ? AnswerSections.GREEN : AnswerSections.RED;
            long tokens = result.usage() != null ? result.usage().outputTokens() : row.pieces;
            rest.append(String.format(Locale.ROOT, "%6s tok  %7s  %s", String.format(Locale.ROOT, "%,d", tokens),
                    RunRenderer.seconds(result.latencyMs()), RunRenderer.cost(result.costUsd())));
            if (!result.succeeded()) {
                rest.append("  error: ").append(result.error().getMessage().replaceAll("\\s+", " "));
            }
        } else if (row.startedNanos < 0) {
            sign = "·";
            signColor = AnswerSections.DIM;
            rest.append("queued"); // not sent yet: --concurrency or max_concurrency holds it
        } else {
            sign = SPINNER[frame % SPINNER.length];
            signColor = "";
            long elapsedMs = (nanoTime.getAsLong() - row.startedNanos) / 1_000_000;
            rest.append(String.format(Locale.ROOT, "%6s tok  %7s  %s", String.format(Locale.ROOT, "~%,d", row.pieces),
                    RunRenderer.seconds(elapsedMs), estimate(models.get(index).spec().pricing(), row.pieces)));
            if (row.note != null) {
                rest.append("  ").append(row.note);
            } else if (row.text.length() > 0) {
                rest.append("  ").append(tail(row.text));
            }
        }
        // a server's error and the names from models.yaml: shown, not obeyed (the view is on a terminal)
        String plain = cut(sign + TerminalText.visible(rest.toString()), width - 1);
        if (!color || signColor.isEmpty()) {
            return plain;
        }
        return signColor + plain.substring(0, sign.length()) + AnswerSections.RESET + plain.substring(sign.length());
    }

    private String pad(String label) {
        String cut = cut(label, labelWidth);
        return cut + " ".repeat(Math.max(0, labelWidth - Columns.of(cut)));
    }

    /** The cost of the output so far: the prompt's tokens are only known at the end. */
    private static String estimate(Pricing pricing, int tokens) {
        if (pricing == null) {
            return "cost unknown";
        }
        BigDecimal usd = pricing.outputPerMtok().multiply(BigDecimal.valueOf(tokens))
                .divide(BigDecimal.valueOf(1_000_000), 12, RoundingMode.HALF_UP);
        return "~" + RunRenderer.cost(usd.signum() == 0 ? BigDecimal.ZERO : usd);
    }

    /** The end of the answer so far on one line: where the model is now. */
    private static String tail(CharSequence text) {
        // control characters (an escape sequence in the answer) must not move the cursor of the view
        String flat = text.toString().replaceAll("\\s+", " ").replaceAll("[\\p{Cntrl}\\u0080-\\u009f]", "").strip();
        return Columns.tail(flat, 40);
    }

    /** At most {@code max} columns, so that the line never wraps. */
    private static String cut(String text, int max) {
        return Columns.cut(text, max);
    }
}
