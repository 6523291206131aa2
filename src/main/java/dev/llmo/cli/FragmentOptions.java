package dev.llmo.cli;

import dev.llmo.input.InputBytes;
import dev.llmo.input.InputReader;
import dev.llmo.input.InputText;
import dev.llmo.io.ContentStore;
import dev.llmo.message.Part;
import java.io.FilterInputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * {@code -f} and {@code --sf} of {@code run} ({@code @Mixin}): text read from files, URLs or stdin, added to the
 * prompt and to the system prompt.
 */
final class FragmentOptions {
    /** The most bytes one fragment may have: far more text than any model's window holds. */
    static final long MAX_BYTES = 8L << 20;

    @Option(names = {"-f", "--fragment"}, paramLabel = "PATH|URL|-",
            description = "Add this text (a file, an http(s) URL, or - for stdin) to the prompt, as context before "
                    + "it. Repeatable; stored once in the content store.")
    List<String> fragments = new ArrayList<>();

    @Option(names = "--sf", paramLabel = "PATH|URL|-",
            description = "Add this text (a file, an http(s) URL, or - for stdin) to the system prompt. Repeatable.")
    List<String> systemFragments = new ArrayList<>();

    /** What the fragments add: to the user's message, and to the system prompt. */
    record Read(List<Text> user, List<Text> system) {
        static final Read NONE = new Read(List.of(), List.of());

        boolean isEmpty() {
            return user.isEmpty() && system.isEmpty();
        }

        /** The system prompt with the --sf texts after it (each under a line naming it). */
        String system(String prompt) {
            List<String> parts = new ArrayList<>();
            if (prompt != null && !prompt.isBlank()) {
                parts.add(prompt);
            }
            for (Text text : system) {
                parts.add(text.labelled());
            }
            return parts.isEmpty() ? null : String.join("\n\n", parts);
        }

        /**
         * The user's message: each fragment, stored once in {@code store} and referenced by its hash, then the
         * prompt. Without a store (--no-log keeps nothing on disk) the fragments are written into the text.
         */
        List<Part> userParts(String prompt, ContentStore store) {
            List<Part> parts = new ArrayList<>();
            if (store == null) {
                parts.add(new Part.Text(inline(prompt)));
                return parts;
            }
            for (Text text : user) {
                parts.add(store.store(text.bytes(), "text/plain", text.name()));
            }
            parts.add(new Part.Text(prompt));
            return parts;
        }

        /** The user's message as one text, fragments first, as the wire formats send a text attachment. */
        String inline(String prompt) {
            List<String> parts = new ArrayList<>();
            for (Text text : user) {
                parts.add(text.labelled());
            }
            parts.add(prompt);
            return String.join("\n\n", parts);
        }
    }

    /** One fragment: where it came from, its bytes (checked to be UTF-8) and its text. */
    record Text(String name, byte[] bytes, String text) {
        /** As a text attachment is sent: a line naming it, then the text. */
        String labelled() {
            return "--- " + name + " ---\n" + text;
        }
    }

    boolean any() {
        return !fragments.isEmpty() || !systemFragments.isEmpty();
    }

    /** Whether a fragment is stdin: then stdin is not also the prompt. */
    boolean readsStdin() {
        return fragments.contains("-") || systemFragments.contains("-");
    }

    /** Reads every fragment, each checked to be UTF-8 text ({@code run} refuses stdin named twice before). */
    Read read(CliContext context) {
        if (!any()) {
            return Read.NONE;
        }
        CliEnvironment environment = context.environment();
        // the reader closes what it reads; stdin stays open for the rest of the command
        InputReader reader = new InputReader(() -> new FilterInputStream(environment.in()) {
            @Override
            public void close() {
            }
        }, environment.workingDir());
        return new Read(read(reader, fragments, "-f"), read(reader, systemFragments, "--sf"));
    }

    private static List<Text> read(InputReader reader, List<String> specs, String flag) {
        List<Text> texts = new ArrayList<>();
        for (String spec : specs) {
            InputBytes input = reader.read(spec, flag, MAX_BYTES);
            // a URL without its credentials and query
            String name = "-".equals(spec) ? "stdin" : input.name();
            texts.add(new Text(name, input.bytes(), InputText.utf8(input.bytes(), flag + " " + name)));
        }
        return texts;
    }
}
