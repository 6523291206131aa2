package dev.llmo.cli.repl;

import dev.llmo.cli.terminal.AnswerExtras;
import dev.llmo.cli.terminal.TerminalText;
import dev.llmo.failure.LlmoException;
import java.io.PrintWriter;

/**
 * Scripted chat's output: answers and asked-for output on stdout as plain text, everything else on stderr. Input
 * from a script does not mean no one watches: on a stream that is a terminal, the control characters of a model's
 * or a server's text are shown, not obeyed; in a pipe or a file they pass unchanged.
 */
final class PlainView implements ChatView {
    private final PrintWriter out;
    private final PrintWriter err;
    private final boolean showStatus;
    private final AnswerExtras.Shown extras;
    private final boolean stdoutTerminal;

    /**
     * @param showStatus     the status line after each answer on stderr (a person is watching stderr)
     * @param extras         what is shown on stderr of each answer besides its text (reasoning, tool calls); its
     *                       {@code stderrTerminal} also says whether notes and errors are made visible
     * @param stdoutTerminal stdout is a terminal: answers and asked-for output are made visible
     */
    PlainView(PrintWriter out, PrintWriter err, boolean showStatus, AnswerExtras.Shown extras,
              boolean stdoutTerminal) {
        this.out = out;
        this.err = err;
        this.showStatus = showStatus;
        this.extras = extras;
        this.stdoutTerminal = stdoutTerminal;
    }

    @Override
    public void show(String text) {
        // /history and /tools last quote the model and the tools
        out.println(TerminalText.forTerminal(text, stdoutTerminal));
        out.flush();
    }

    @Override
    public void note(String text) {
        err.println(toStderr("llmo: " + text));
        err.flush();
    }

    @Override
    public void error(LlmoException error) {
        err.println(toStderr(errorLine(error)));
        err.flush();
    }

    private String toStderr(String text) {
        return TerminalText.forTerminal(text, extras.stderrTerminal());
    }

    static String errorLine(LlmoException error) {
        return dev.llmo.cli.terminal.ErrorLine.of(error, false);
    }

    @Override
    public Answer answer() {
        return Answer.rendered(new MarkdownRenderer(out, false, () -> 0), () -> {
            err.println("llmo: [cancelled]");
            err.flush();
        }, piece -> TerminalText.forTerminal(piece, stdoutTerminal), new AnswerExtras(err, extras), out);
    }

    @Override
    public void status(String line) {
        if (showStatus) {
            err.println(toStderr(line));
            err.flush();
        }
    }
}
