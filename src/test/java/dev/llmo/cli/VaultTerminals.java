package dev.llmo.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
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
            terminal = TerminalBuilder.builder().system(false).type(type)
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
        terminal.flush();
        return output.toString(StandardCharsets.UTF_8);
    }
}
