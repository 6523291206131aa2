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

    /**
     * @param answers   where answers go when stdout is not the terminal, or null for the terminal itself
     * @param color     colours and Markdown styling
     * @param reasoning the model's reasoning, dimmed on the screen (never with the answers)
     */
    TerminalView(Terminal terminal, PrintWriter answers, boolean color, boolean reasoning) {
        this.terminal = terminal;
        this.screen = terminal.writer();
        this.answers = answers;
        this.color = color;
        this.reasoning = reasoning;
    }

    @Override
    public void show(String text) {
        // /history and /tools last quote the model and the tools: their control characters are shown, not obeyed
        screen.println(fitted(TerminalText.visible(text)));
        screen.flush();
    }

    @Override
    public void note(String text) {
        String shown = fitted(TerminalText.visible(text)); // names from the configuration, a server's words
        screen.println(color ? MarkdownRenderer.DIM + shown + MarkdownRenderer.RESET : shown);
        screen.flush();
    }

    @Override
    public void error(LlmoException error) {
        // a server's message: its control characters are shown, not obeyed
        String line = fitted(TerminalText.visible(
                PlainView.errorLine(error).substring("llmo: ".length())));
        screen.println(color ? RED + line + MarkdownRenderer.RESET : line);
        screen.flush();
    }

    /**
     * {@code text} with its long lines broken between words at the terminal's width, as answers are: the terminal would
     * break them inside a word (an id, a figure). A terminal that tells no width gets the text as it is.
     */
    private String fitted(String text) {
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
            fitted.append(MarkdownRenderer.wrapped(line, width));
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
        return Answer.rendered(text, () -> note("[cancelled]"),
                toScreen ? TerminalText::visible : piece -> piece, extras, screen);
    }
}
