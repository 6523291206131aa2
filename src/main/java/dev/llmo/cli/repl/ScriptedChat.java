package dev.llmo.cli.repl;

import dev.llmo.failure.ExitCode;
import dev.llmo.cli.terminal.AnswerExtras;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/**
 * Chat driven by a pipe or a file: each input line is a turn (slash commands and multi-line input work as on the
 * terminal), answers go to stdout with no prompts and no colours, so {@code printf 'hi\n/model x\nmore\n' | llmo
 * chat} works. No terminal is built. The exit code is that of the first failed turn or command, else 0.
 */
public final class ScriptedChat {
    private ScriptedChat() {
    }

    /**
     * Runs the whole input.
     *
     * @param showStatus the status line after each answer on stderr
     */
    public static ExitCode run(ChatSession session, InputStream in, PrintWriter out, PrintWriter err,
                               boolean showStatus) {
        return run(session, in, out, err, showStatus, AnswerExtras.Shown.NONE);
    }

    /**
     * {@link #run(ChatSession, InputStream, PrintWriter, PrintWriter, boolean)}, showing {@code extras} on stderr;
     * the control characters of what reaches a terminal are made visible ({@code extras.stderrTerminal()},
     * {@code extras.stdoutTerminal()}).
     */
    public static ExitCode run(ChatSession session, InputStream in, PrintWriter out, PrintWriter err,
                               boolean showStatus, AnswerExtras.Shown extras) {
        PlainView view = new PlainView(out, err, showStatus, extras, extras.stdoutTerminal());
        ChatLoop loop = new ChatLoop(session, view);
        BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        try (ShutdownGuard ignored = ShutdownGuard.install(loop, session)) {
            String line;
            while ((line = lines.readLine()) != null) {
                StringBuilder raw = new StringBuilder(line);
                while (MultiLineInput.incomplete(raw.toString()) && (line = lines.readLine()) != null) {
                    raw.append('\n').append(line);
                }
                if (!loop.handle(MultiLineInput.text(raw.toString()))) {
                    break;
                }
            }
        } catch (IOException e) {
            throw dev.llmo.input.InputReader.stdinUnreadable("stdin", e);
        }
        if (!session.pendingAttachments().isEmpty()) {
            // on a terminal the user sees them waiting; a script that ends on /attach would lose them without a word
            view.note("note: not sent: " + String.join(", ", session.pendingAttachments().stream()
                    .map(a -> a.name() + " (" + a.mediaType() + ")").toList())
                    + ": the input ended before a message to attach it to");
        }
        return loop.firstFailure() == null ? ExitCode.OK : loop.firstFailure();
    }
}
