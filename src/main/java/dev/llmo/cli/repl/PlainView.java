package dev.llmo.cli.repl;

import dev.llmo.cli.terminal.AnswerExtras;
import dev.llmo.failure.LlmoException;
import java.io.PrintWriter;

/** Scripted chat's output: answers and asked-for output on stdout as plain text, everything else on stderr. */
final class PlainView implements ChatView {
    private final PrintWriter out;
    private final PrintWriter err;
    private final boolean showStatus;
    private final AnswerExtras.Shown extras;

    /**
     * @param showStatus the status line after each answer on stderr (a person is watching stderr)
     * @param extras     what is shown on stderr of each answer besides its text (reasoning, tool calls)
     */
    PlainView(PrintWriter out, PrintWriter err, boolean showStatus, AnswerExtras.Shown extras) {
        this.out = out;
        this.err = err;
        this.showStatus = showStatus;
        this.extras = extras;
    }

    @Override
    public void show(String text) {
        out.println(text);
        out.flush();
    }

    @Override
    public void note(String text) {
        err.println("llmo: " + text);
        err.flush();
    }

    @Override
    public void error(LlmoException error) {
        err.println(errorLine(error));
        err.flush();
    }

    static String errorLine(LlmoException error) {
        return dev.llmo.cli.terminal.ErrorLine.of(error, false);
    }

    @Override
    public Answer answer() {
        return Answer.rendered(new MarkdownRenderer(out, false, () -> 0), () -> {
            err.println("llmo: [cancelled]");
            err.flush();
        }, piece -> piece, new AnswerExtras(err, extras), out);
    }

    @Override
    public void status(String line) {
        if (showStatus) {
            err.println(line);
            err.flush();
        }
    }
}
