package dev.llmo.cli.repl;

import dev.llmo.core.RunListener;
import dev.llmo.failure.ExitCode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.Terminal.Signal;
import org.jline.terminal.Terminal.SignalHandler;

/**
 * The interactive chat: a jline line reader with emacs keys, persistent history, multi-line input and Tab
 * completion. Ctrl-C while an answer streams cancels it (the partial answer is kept and marked); Ctrl-C at an empty
 * prompt twice, Ctrl-D or {@code /exit} leave. The only place chat touches jline's reader.
 */
public final class ChatRepl {
    // jline logs through java.util.logging, whose console handler writes raw WARNING lines into the chat's screen;
    // what matters (a history not saved) llmo says itself. Held here: a logger only weakly referenced loses its level.
    static final java.util.logging.Logger JLINE_LOG = java.util.logging.Logger.getLogger("org.jline");

    static {
        JLINE_LOG.setLevel(java.util.logging.Level.OFF);
    }

    private final ChatSession session;
    private final Terminal terminal;
    private final Path historyFile;
    private final boolean color;
    private final TerminalView view;
    private final ChatLoop loop;

    /**
     * @param historyFile the line history, kept across sessions ({@code AppDirs.historyFile()})
     * @param answers     where answers go when stdout is not the terminal, or null for the terminal
     * @param color       colours and Markdown styling on the terminal
     */
    public ChatRepl(ChatSession session, Terminal terminal, Path historyFile, PrintWriter answers, boolean color) {
        this(session, terminal, historyFile, answers, color, true);
    }

    /** @param reasoning the model's reasoning, dimmed on the screen */
    public ChatRepl(ChatSession session, Terminal terminal, Path historyFile, PrintWriter answers, boolean color,
                    boolean reasoning) {
        this(session, terminal, historyFile, answers, color, reasoning, () -> null);
    }

    /**
     * @param waiting the spinner a turn shows on the screen until its first output, started; null for none. Turns
     *                start it after the line was read and stop it before anything else is shown, so that it is never
     *                drawn while a line is read
     */
    public ChatRepl(ChatSession session, Terminal terminal, Path historyFile, PrintWriter answers, boolean color,
                    boolean reasoning, java.util.function.Supplier<Waiting> waiting) {
        this.session = session;
        this.terminal = terminal;
        this.historyFile = historyFile;
        this.color = color;
        this.view = new TerminalView(terminal, answers, color, reasoning, waiting);
        this.loop = new ChatLoop(session, view);
    }

    /** A spinner drawn while a turn waits for its first output (the CLI's, which knows the terminal's questions). */
    public interface Waiting {
        /** {@code next} behind the spinner: the call's first output erases it. */
        RunListener before(RunListener next);

        /** Erases it for good. */
        void stop();
    }

    /** Runs the session until the user leaves; always 0, failed turns having been shown as they happened. */
    public ExitCode run() {
        LineReader reader = reader();
        // While an answer streams the line reader is not reading: Ctrl-C reaches the terminal's handler, which
        // cancels the call. While it reads, it installs its own handler and Ctrl-C ends readLine instead.
        SignalHandler previous = terminal.handle(Signal.INT, signal -> loop.cancelCurrent());
        view.note(welcome());
        int interrupts = 0;
        try (ShutdownGuard ignored = ShutdownGuard.install(loop, session)) {
            while (true) {
                String line;
                try {
                    line = reader.readLine(prompt());
                    interrupts = 0;
                } catch (UserInterruptException e) {
                    if (!e.getPartialLine().isEmpty()) {
                        interrupts = 0; // Ctrl-C drops the line being typed, as in a shell
                        continue;
                    }
                    if (++interrupts >= 2) {
                        break;
                    }
                    view.note("(press Ctrl-C again or Ctrl-D to leave)");
                    continue;
                } catch (EndOfFileException e) {
                    break;
                }
                if (!handleQuietly(MultiLineInput.text(line))) {
                    break;
                }
            }
        } finally {
            terminal.handle(Signal.INT, previous);
            saveHistory(reader);
        }
        return ExitCode.OK;
    }

    /**
     * Handles one input with the terminal's echo off: while an answer streams, the line reader is not reading, and the
     * terminal itself would show Ctrl-C as "^C" in the middle of the answer (and keys typed ahead among its words).
     * Signals stay on: Ctrl-C still cancels the call. A question asked meanwhile (a tool's approval, the vault's
     * password) sets and restores its own modes.
     */
    private boolean handleQuietly(String input) {
        org.jline.terminal.Attributes typing = terminal.getAttributes();
        org.jline.terminal.Attributes quiet = new org.jline.terminal.Attributes(typing);
        quiet.setLocalFlag(org.jline.terminal.Attributes.LocalFlag.ECHO, false);
        quiet.setLocalFlag(org.jline.terminal.Attributes.LocalFlag.ECHOCTL, false);
        terminal.setAttributes(quiet);
        try {
            return loop.handle(input);
        } finally {
            terminal.setAttributes(typing);
        }
    }

    private LineReader reader() {
        LineReaderBuilder builder = LineReaderBuilder.builder()
                .terminal(terminal)
                .appName("llmo")
                .parser(new ChatParser())
                .completer(new ChatCompleter(session))
                .variable(LineReader.SECONDARY_PROMPT_PATTERN, "... ")
                .variable(LineReader.INDENTATION, 0)
                // "!" is text in a message, not a history reference
                .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
                .option(LineReader.Option.INSERT_TAB, false);
        // --no-log keeps nothing of the session on disk: its lines are recalled in memory only
        if (historyFile != null && session.logged() && prepareHistory(historyFile)) {
            builder.variable(LineReader.HISTORY_FILE, historyFile);
        }
        LineReader reader = builder.build();
        reader.setKeyMap(LineReader.EMACS);
        return reader;
    }

    /**
     * The history holds what was typed, prompts included: readable by its owner only, also when it was made (or
     * changed) by something else.
     */
    private static boolean prepareHistory(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            boolean posix = file.toAbsolutePath().getParent().getFileSystem().supportedFileAttributeViews()
                    .contains("posix");
            if (!Files.exists(file)) {
                if (posix) {
                    Files.createFile(file, PosixFilePermissions.asFileAttribute(
                            PosixFilePermissions.fromString("rw-------")));
                } else {
                    Files.createFile(file);
                }
            }
            if (posix && !Files.getPosixFilePermissions(file).equals(PosixFilePermissions.fromString("rw-------"))) {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            }
            return true;
        } catch (IOException e) {
            return false; // chat works without a history file
        }
    }

    private void saveHistory(LineReader reader) {
        if (!session.logged()) {
            return;
        }
        try {
            reader.getHistory().save();
        } catch (IOException e) {
            view.note("history not saved: " + e.getMessage());
        }
    }

    private String prompt() {
        String name = dev.llmo.cli.terminal.TerminalText.visible(session.model().modelName()); // from models.yaml
        return color ? "\u001b[1;32m" + name + ">\u001b[0m " : name + "> ";
    }

    private String welcome() {
        int messages = session.history().size();
        return "llmo chat · " + session.model().id() + " · " + session.conversationLabel()
                + (messages > 0 ? " (" + messages + " messages)" : "")
                + " · /help for commands, Ctrl-D to leave";
    }
}
