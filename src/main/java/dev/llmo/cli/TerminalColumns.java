package dev.llmo.cli;

import java.io.IOException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * How wide stdout's terminal is. {@code COLUMNS} wins when it is exported (a user's choice, and what tests set);
 * otherwise the terminal is asked, which only the commands that lay out lines for it pay for.
 */
final class TerminalColumns {
    static final int FALLBACK = 80;

    private TerminalColumns() {
    }

    /** The width of stdout's terminal, or 0 when stdout is not a terminal (pipes get lines unchanged). */
    static int of(CliEnvironment environment) {
        if (!environment.stdoutIsTerminal()) {
            return 0;
        }
        String columns = environment.env().get("COLUMNS");
        if (columns != null) {
            try {
                int width = Integer.parseInt(columns.strip());
                if (width > 0) {
                    return width;
                }
            } catch (NumberFormatException e) {
                // not a number: ask the terminal
            }
        }
        int width = environment.terminalColumns().getAsInt();
        return width > 0 ? width : FALLBACK;
    }

    /** What the system's terminal says its width is, 0 when it cannot tell. */
    /** {@link #ask}: a class, not a method reference, as each one linked costs start-up ~0.3 ms (ADR-003). */
    static final java.util.function.IntSupplier ASK = new java.util.function.IntSupplier() {
        @Override
        public int getAsInt() {
            return ask();
        }
    };

    static int ask() {
        try (Terminal terminal = TerminalBuilder.builder().system(true).nativeSignals(false)
                .signalHandler(Terminal.SignalHandler.SIG_DFL).build()) {
            return Math.max(0, terminal.getWidth());
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
