package dev.llmo.cli.repl;

import dev.llmo.cli.terminal.AnswerExtras;
import dev.llmo.cli.terminal.TerminalText;
import dev.llmo.failure.LlmoException;
import java.io.PrintWriter;
import org.jline.terminal.Terminal;

/**
 * Chat on a terminal: answers rendered as Markdown as they stream (or as plain text to {@code answers} when stdout
 * is redirected), notices and the status line dimmed, errors in red; no colour at all when colour is off.
 */
final class TerminalView implements ChatView {
    private static final String RED = "\u001b[31m";

    private final Terminal terminal;
    private final PrintWriter screen;
    private final PrintWriter answers;
    private final boolean color;
    private final boolean reasoning;
    private final java.util.function.Supplier<ChatRepl.Waiting> waiting;
    /** The spinner of the turn under way, or null. */
    private ChatRepl.Waiting spinner;

    /**
     * @param answers   where answers go when stdout is not the terminal, or null for the terminal itself
     * @param color     colours and Markdown styling
     * @param reasoning the model's reasoning, dimmed on the screen (never with the answers)
     */
    TerminalView(Terminal terminal, PrintWriter answers, boolean color, boolean reasoning) {
        this(terminal, answers, color, reasoning, () -> null);
    }

    /** @param waiting a turn's spinner, started; null for none */
    TerminalView(Terminal terminal, PrintWriter answers, boolean color, boolean reasoning,
                 java.util.function.Supplier<ChatRepl.Waiting> waiting) {
        this.waiting = waiting;
        this.terminal = terminal;
        this.screen = terminal.writer();
        this.answers = answers;
        this.color = color;
        this.reasoning = reasoning;
    }

    @Override
    public void show(String text) {
        stopWaiting();
        // /history and /tools last quote the model and the tools: their control characters are shown, not obeyed
        screen.println(fitted(TerminalText.visible(text), true));
        screen.flush();
    }

    @Override
    public void note(String text) {
        stopWaiting();
        String shown = fitted(TerminalText.visible(text)); // names from the configuration, a server's words
        screen.println(color ? MarkdownRenderer.DIM + shown + MarkdownRenderer.RESET : shown);
        screen.flush();
    }

    @Override
    public void error(LlmoException error) {
        stopWaiting(); // a turn that failed before any output
        // a server's message: its control characters are shown, not obeyed
        String line = fitted(TerminalText.visible(
                PlainView.errorLine(error).substring("llmo: ".length())));
        screen.println(color ? RED + line + MarkdownRenderer.RESET : line);
        screen.flush();
    }

    /** {@code line} broken at {@code width}, its continuation lines indented as {@link #fitted(String, boolean)} says. */
    static String hung(String line, int width) {
        String wrapped = MarkdownRenderer.wrapped(line, width);
        int firstBreak = wrapped.indexOf('\n');
        int hang = hangOf(line);
        if (firstBreak < 0 || hang == 0 || hang > width / 2 || !line.startsWith(wrapped.substring(0, firstBreak))) {
            return wrapped;
        }
        String rest = line.substring(firstBreak).strip();
        String indent = " ".repeat(hang);
        StringBuilder hung = new StringBuilder(wrapped.substring(0, firstBreak));
        for (String piece : MarkdownRenderer.wrapped(rest, width - hang).split("\n", -1)) {
            hung.append('\n').append(indent).append(piece);
        }
        return hung.toString();
    }

    /** Where a line's text starts: after a two-column row's first column and its gap, else after its indentation. */
    private static int hangOf(String line) {
        int lead = 0;
        while (lead < line.length() && line.charAt(lead) == ' ') {
            lead++;
        }
        int gap = line.indexOf("  ", lead);
        if (lead > 0 && gap > lead) {
            int text = gap;
            while (text < line.length() && line.charAt(text) == ' ') {
                text++;
            }
            return text < line.length() ? text : lead;
        }
        return lead;
    }

    /**
     * {@code text} with its long lines broken between words at the terminal's width, as answers are: the terminal would
     * break them inside a word (an id, a figure). A terminal that tells no width gets the text as it is.
     */
    private String fitted(String text) {
        return fitted(text, false);
    }

    /**
     * {@link #fitted(String)}; with {@code hanging}, a line's continuation lines start under its text: under the
     * description of a two-column row ({@code /help}'s "  /model [NAME]   switch the model..."), else under its
     * own indentation.
     */
    private String fitted(String text, boolean hanging) {
        int width;
        try {
            width = terminal.getWidth();
        } catch (RuntimeException | java.io.IOError e) {
            width = 0;
        }
        if (width <= 0) {
            return text;
        }
        StringBuilder fitted = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            if (!fitted.isEmpty()) {
                fitted.append('\n');
            }
            fitted.append(hanging ? hung(line, width) : MarkdownRenderer.wrapped(line, width));
        }
        return fitted.toString();
    }

    @Override
    public void status(String line) {
        note(line);
    }

    @Override
    public Answer answer() {
        boolean toScreen = answers == null;
        // on the screen long lines break between words; redirected answers keep their lines as the model wrote them
        MarkdownRenderer text = new MarkdownRenderer(toScreen ? screen : answers, toScreen && color,
                terminal::getWidth, toScreen);
        // The partial answer stays in the conversation; the mark says it is not all.
        // on the screen, the server's control characters are shown, not obeyed; redirected, the bytes pass as they are
        // reasoning, tool calls and sources on the screen, which a person reads: never among redirected answers
        AnswerExtras extras = new AnswerExtras(screen, new AnswerExtras.Shown(reasoning, color, true, true, true,
                true), terminal::getWidth);
        Answer rendered = Answer.rendered(text, () -> note("[cancelled]"),
                toScreen ? TerminalText::visible : piece -> piece, extras, screen);
        stopWaiting();
        spinner = waiting.get();
        if (spinner == null) {
            return rendered;
        }
        // the answer, the reasoning, a tool's line: any output but an idle moment erases the spinner first
        dev.llmo.core.RunListener behind = spinner.before(rendered);
        return new Answer() {
            @Override
            public void onEvent(dev.llmo.core.RunEvent event) {
                behind.onEvent(event);
            }

            @Override
            public void end(dev.llmo.core.RunResult result) {
                stopWaiting();
                rendered.end(result);
            }
        };
    }

    /** Erases the turn's spinner, if one is drawn: before anything else is shown. */
    private void stopWaiting() {
        ChatRepl.Waiting drawn = spinner;
        spinner = null;
        if (drawn != null) {
            drawn.stop();
        }
    }
}
