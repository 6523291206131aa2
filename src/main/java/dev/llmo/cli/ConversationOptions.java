package dev.llmo.cli;

import dev.llmo.config.Role;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/**
 * The options {@code run} and {@code chat} share, declared once ({@code @Mixin}) so that their names, help and
 * meaning cannot drift apart: {@code -s}, {@code -o}, and {@code -c} / {@code --cid} to continue a conversation.
 */
final class ConversationOptions {
    @Option(names = {"-s", "--system"}, paramLabel = "SYSTEM",
            description = "System prompt (after the role's, when -r gives one).")
    String system;

    @Option(names = {"-o", "--option"}, paramLabel = "KEY=VALUE",
            description = "Request option, e.g. -o temperature=0.2 -o max_tokens=500 (over the role's options).")
    Map<String, String> options = new LinkedHashMap<>();

    @ArgGroup(exclusive = true)
    Continuation continuation;

    static final class Continuation {
        @Option(names = {"-c", "--continue"},
                description = "Continue the last conversation, on its own model unless -m names one.")
        boolean last;

        @Option(names = {"--cid", "--resume"}, paramLabel = "ID",
                description = "Continue the conversation with this id (or prefix), or saved with /save NAME, on its "
                        + "own model unless -m names one.")
        String id;
    }

    /** The role's system prompt, then -s: both apply; null when there is neither. */
    String system(Role role) {
        List<String> parts = new ArrayList<>();
        if (role != null && role.system() != null && !role.system().isBlank()) {
            parts.add(role.system());
        }
        if (system != null && !system.isBlank()) {
            parts.add(system);
        }
        return parts.isEmpty() ? null : String.join("\n\n", parts);
    }

    /** The role's options (none for null), overridden by -o. */
    Map<String, Object> requestOptions(Role role) {
        Map<String, Object> merged = new LinkedHashMap<>();
        if (role != null) {
            merged.putAll(role.options());
        }
        merged.putAll(RunInput.options(options));
        return merged;
    }

    /** Whether -c or --cid was given. */
    boolean continues() {
        return continuation != null;
    }

    /** The id, prefix or name given with --cid, or null for the newest conversation (-c) or none. */
    String continuedId() {
        return continuation == null ? null : continuation.id;
    }
}
