package dev.llmo.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmo.failure.UsageException;
import dev.llmo.input.InputText;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Reads what {@code llmo run} is asked: the prompt (words and piped stdin) and {@code -o} option values. */
final class RunInput {
    /** The most bytes of piped stdin read as a prompt. */
    static final int MAX_STDIN_BYTES = 64 << 20;

    private RunInput() {
    }

    /**
     * The prompt: the words joined with spaces; piped stdin alone is the prompt, and with words it is appended after
     * them as context (design.md "Command line"). A terminal on stdin is never read.
     */
    static String prompt(List<String> words, CliEnvironment environment) {
        return text(words, environment, "no prompt: give PROMPT words or pipe text on stdin",
                "e.g. llmo run \"What is a monad?\" or cat notes.txt | llmo run \"Summarise\"");
    }

    /**
     * The same for any command's text argument; {@code missing} and {@code fix} say what to do without one. A null
     * {@code environment} reads the words alone (stdin went elsewhere, e.g. to {@code -a -}).
     */
    static String text(List<String> words, CliEnvironment environment, String missing, String fix) {
        String text = input(words, environment);
        if (text.isEmpty()) {
            throw new UsageException(missing, fix);
        }
        return text;
    }

    /** The words joined, then piped stdin after a blank line; either alone; empty when there is neither. */
    static String input(List<String> words, CliEnvironment environment) {
        String typed = String.join(" ", words).strip();
        String piped = "";
        if (environment != null && !environment.stdinIsTerminal()) {
            try {
                piped = InputText.utf8(readStdin(environment), "stdin").stripTrailing();
            } catch (IOException e) {
                throw dev.llmo.input.InputReader.stdinUnreadable("stdin", e);
            }
        }
        if (piped.isBlank()) {
            return typed;
        }
        return typed.isEmpty() ? piped : typed + "\n\n" + piped;
    }

    /**
     * Piped stdin, at most {@link #MAX_STDIN_BYTES}: a prompt, however long, is text a model's window must hold, and
     * a larger stream is a mistake that would otherwise fill the memory.
     */
    private static byte[] readStdin(CliEnvironment environment) throws IOException {
        byte[] bytes = environment.in().readNBytes(MAX_STDIN_BYTES + 1);
        if (bytes.length > MAX_STDIN_BYTES) {
            throw new UsageException("stdin is larger than " + (MAX_STDIN_BYTES >> 20) + " MiB, the limit for a prompt",
                    "give an excerpt, or split it into several runs");
        }
        return bytes;
    }

    /** {@code -o} values: numbers and booleans when they look like one, JSON arrays and objects, else strings. */
    static Map<String, Object> options(Map<String, String> raw) {
        Map<String, Object> options = new LinkedHashMap<>();
        for (Map.Entry<String, String> option : raw.entrySet()) {
            String key = option.getKey();
            if (key.isBlank()) {
                throw new UsageException("-o needs KEY=VALUE, got '=" + option.getValue() + "'",
                        "e.g. -o temperature=0.2");
            }
            options.put(key.strip(), value(option.getValue()));
        }
        return options;
    }

    /** Compiled for the first -o: every run reads its input through this class, few give options (ADR-003). */
    private static final class Numbers {
        static final Pattern INTEGER = Pattern.compile("-?\\d{1,18}");
        static final Pattern DECIMAL = Pattern.compile("-?(\\d+\\.\\d*|\\.\\d+|\\d+)([eE][-+]?\\d+)?");
    }

    static Object value(String text) {
        String v = text.strip();
        if ("true".equals(v) || "false".equals(v)) {
            return Boolean.valueOf(v);
        }
        if (Numbers.INTEGER.matcher(v).matches()) {
            return Long.valueOf(v);
        }
        if (Numbers.DECIMAL.matcher(v).matches()) {
            // exact decimals, as YAML options are: the body (and its digest in the log) is the same on replay
            return new java.math.BigDecimal(v);
        }
        if (v.startsWith("[") && v.endsWith("]") || v.startsWith("{") && v.endsWith("}")) {
            try {
                return new ObjectMapper().enable(com.fasterxml.jackson.databind.DeserializationFeature
                        .USE_BIG_DECIMAL_FOR_FLOATS).readValue(v, Object.class);
            } catch (IOException e) {
                return text; // not JSON after all: sent as the string typed
            }
        }
        return text;
    }
}
