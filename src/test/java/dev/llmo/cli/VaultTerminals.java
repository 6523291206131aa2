package dev.llmo.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.jline.terminal.Attributes;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * A jline terminal on in-memory streams for driving prompts in tests: the keystrokes are given up front, what the
 * terminal showed is read back with {@link #shown()}.
 */
final class VaultTerminals {
    private final ByteArrayOutputStream output = new ByteArrayOutputStream();
    private final Terminal terminal;

    private VaultTerminals(String keystrokes, String type) {
        try {
            // The keystrokes are all there before the first prompt, and jline's line discipline would echo them as
            // soon as it reads them, before SecretPrompt turns echo off: a real terminal's user types after the
            // prompt. Starting with echo off leaves every character shown to SecretPrompt itself.
            // No ISIG either, or a Ctrl-C read ahead would become a signal instead of a character.
            Attributes quiet = new Attributes();
            terminal = TerminalBuilder.builder().system(false).type(type).attributes(quiet)
                    .streams(new ByteArrayInputStream(keystrokes.getBytes(StandardCharsets.UTF_8)), output)
                    .encoding(StandardCharsets.UTF_8)
                    .build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A dumb terminal fed with {@code keystrokes} (use \r or \n for Enter, \u0003 for Ctrl-C, \u0004 for Ctrl-D). */
    static VaultTerminals typing(String keystrokes) {
        return new VaultTerminals(keystrokes, "dumb");
    }

    /** An emulated xterm (jline's ExternalTerminal with its line discipline) fed with {@code keystrokes}. */
    static VaultTerminals xterm(String keystrokes) {
        return new VaultTerminals(keystrokes, "xterm");
    }

    SecretPrompt prompt() {
        return new SecretPrompt(terminal);
    }

    Terminal terminal() {
        return terminal;
    }

    /** Everything written to the terminal so far. */
    String shown() {
        try {
            terminal.flush();
        } catch (IllegalStateException closed) {
            // Closing flushed it already.
        }
        return output.toString(StandardCharsets.UTF_8);
    }
}
