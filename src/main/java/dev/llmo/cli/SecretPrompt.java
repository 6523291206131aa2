package dev.llmo.cli;

import dev.llmo.failure.FailureException;
import dev.llmo.failure.InterruptedRunException;
import dev.llmo.failure.UsageException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;
import org.jline.terminal.Attributes;
import org.jline.terminal.Attributes.ControlChar;
import org.jline.terminal.Attributes.InputFlag;
import org.jline.terminal.Attributes.LocalFlag;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.utils.NonBlockingReader;

/**
 * Questions on the terminal, secrets masked. Secrets are read character by character into a {@code char[]} with
 * echo off (each key shows as {@code *}), so they never become a String, never reach a line editor's history, and
 * can be zeroed by the caller. Prompts go to stderr, so {@code llmo vault get NAME | pbcopy} stays clean.
 *
 * <p>{@link #firstLine(InputStream)} is the other way in: the first line of a piped stdin, with no terminal built.
 */
final class SecretPrompt implements AutoCloseable {
    private static final int CTRL_C = 3;
    private static final int CTRL_D = 4;
    private static final int CTRL_U = 21;
    private static final int BACKSPACE = 8;
    private static final int DELETE = 127;

    private final Terminal terminal;
    private final PrintWriter out;
    private final Attributes original;
    private boolean skipLineFeed;
    private boolean borrowed;

    /**
     * Takes over {@code terminal} until {@link #close()}: echo stays off for the whole time, not just while a
     * prompt waits, so that keys typed ahead (say, during the second it takes to unlock) are never shown.
     */
    SecretPrompt(Terminal terminal) {
        this.terminal = terminal;
        this.out = terminal.writer();
        this.original = terminal.getAttributes();
        Attributes raw = new Attributes(original);
        // No echo, no line editing, and no signals: Ctrl-C arrives as a character, so the terminal is always
        // restored by close() before the process ends.
        raw.setLocalFlags(EnumSet.of(LocalFlag.ICANON, LocalFlag.ECHO, LocalFlag.ISIG, LocalFlag.IEXTEN), false);
        raw.setInputFlags(EnumSet.of(InputFlag.IXON, InputFlag.ICRNL, InputFlag.INLCR), false);
        raw.setControlChar(ControlChar.VMIN, 1);
        raw.setControlChar(ControlChar.VTIME, 0);
        terminal.setAttributes(raw);
    }

    /**
     * Questions on a terminal that stays open after {@link #close()} (a chat's own terminal, between two turns): only
     * its attributes are restored.
     */
    static SecretPrompt borrowing(Terminal terminal) {
        SecretPrompt prompt = new SecretPrompt(terminal);
        prompt.borrowed = true;
        return prompt;
    }

    /** The process's terminal, written to on stderr. Call only when stdin is a terminal. */
    static SecretPrompt system() {
        try {
            return new SecretPrompt(TerminalBuilder.builder().system(true)
                    .systemOutput(TerminalBuilder.SystemOutput.SysErr)
                    .nativeSignals(false)
                    .build());
        } catch (IOException e) {
            throw new FailureException("cannot open the terminal to ask for a password: " + e.getMessage(),
                    "set LLMO_VAULT_PASSWORD and pipe secrets on stdin instead");
        }
    }

    /** Prints one line of text (no secrets ever go through here). */
    void println(String text) {
        out.println(text);
        out.flush();
    }

    /**
     * Asks for a secret; empty when input ends (Ctrl-D on an empty line, or the stream closes). The caller zeroes
     * the array.
     *
     * @throws InterruptedRunException on Ctrl-C (exit 130)
     */
    Optional<char[]> readSecret(String prompt) {
        return read(prompt, true);
    }

    /** Asks for an answer that may be shown (yes/no); empty when input ends. */
    Optional<String> readLine(String prompt) {
        return read(prompt, false).map(chars -> {
            String text = new String(chars);
            Arrays.fill(chars, '\0');
            return text;
        });
    }

    /** Asks a yes/no question; only y or yes (any case) is yes, and the end of input is no. */
    boolean confirm(String question) {
        return readLine(question + " [y/N] ").map(a -> a.strip().equalsIgnoreCase("y") || a.strip()
                .equalsIgnoreCase("yes")).orElse(false);
    }

    private Optional<char[]> read(String prompt, boolean mask) {
        out.print(prompt);
        out.flush();
        char[] buffer = new char[64];
        int length = 0;
        try {
            NonBlockingReader reader = terminal.reader();
            while (true) {
                int c = reader.read();
                if (c == '\n' && skipLineFeed) {
                    skipLineFeed = false;
                    continue;
                }
                skipLineFeed = false;
                if (c == -1 || c == CTRL_D && length == 0) {
                    out.println();
                    return Optional.empty();
                }
                if (c == '\r' || c == '\n') {
                    skipLineFeed = c == '\r';
                    out.println();
                    return Optional.of(Arrays.copyOf(buffer, length));
                }
                if (c == CTRL_C) {
                    out.println();
                    throw new InterruptedRunException("cancelled", null);
                }
                if (c == DELETE || c == BACKSPACE) {
                    if (length > 0) {
                        length--;
                        // A character outside the BMP is two chars but one key: remove both halves.
                        if (length > 0 && Character.isLowSurrogate(buffer[length])
                                && Character.isHighSurrogate(buffer[length - 1])) {
                            length--;
                        }
                        out.print("\b \b");
                    }
                } else if (c == CTRL_U) {
                    for (int i = 0; i < length; i++) {
                        out.print("\b \b");
                    }
                    Arrays.fill(buffer, '\0');
                    length = 0;
                } else if (c >= ' ' && c != DELETE) {
                    if (length == buffer.length) {
                        char[] bigger = Arrays.copyOf(buffer, buffer.length * 2);
                        Arrays.fill(buffer, '\0');
                        buffer = bigger;
                    }
                    buffer[length++] = (char) c;
                    if (!Character.isLowSurrogate((char) c)) {
                        out.print(mask ? '*' : (char) c);
                    } else if (!mask) {
                        out.print((char) c);
                    }
                }
                out.flush();
            }
        } catch (IOException e) {
            throw new FailureException("cannot read from the terminal: " + e.getMessage(), null);
        } finally {
            Arrays.fill(buffer, '\0');
            out.flush();
        }
    }

    /**
     * The first line of {@code in} (without its line ending) as UTF-8 characters, for secrets piped on stdin; empty
     * when the input is empty. Reads byte by byte so that nothing past the line is consumed, and zeroes its buffers.
     */
    static Optional<char[]> firstLine(InputStream in) {
        WipeableBuffer bytes = new WipeableBuffer();
        byte[] raw = null;
        try {
            int b = in.read();
            if (b == -1) {
                return Optional.empty();
            }
            while (b != -1 && b != '\n') {
                bytes.write(b);
                b = in.read();
            }
            raw = bytes.toByteArray();
            int length = raw.length > 0 && raw[raw.length - 1] == '\r' ? raw.length - 1 : raw.length;
            CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT);
            CharBuffer chars = decoder.decode(ByteBuffer.wrap(raw, 0, length));
            char[] result = Arrays.copyOf(chars.array(), chars.limit());
            Arrays.fill(chars.array(), '\0');
            return Optional.of(result);
        } catch (CharacterCodingException e) {
            throw new UsageException("the input on stdin is not UTF-8 text", "pipe the secret as text");
        } catch (IOException e) {
            throw dev.llmo.input.InputReader.stdinUnreadable("stdin", e);
        } finally {
            if (raw != null) {
                Arrays.fill(raw, (byte) 0);
            }
            bytes.wipe();
        }
    }

    /** A byte buffer whose backing array can be zeroed. */
    private static final class WipeableBuffer extends ByteArrayOutputStream {
        void wipe() {
            Arrays.fill(buf, (byte) 0);
            count = 0;
        }
    }

    @Override
    public void close() {
        try {
            terminal.setAttributes(original);
            if (!borrowed) {
                terminal.close();
            }
        } catch (IOException ignored) {
            // Nothing more to restore.
        }
    }
}
