package dev.llmo.cli;

import dev.llmo.cost.UnloggedSpend;
import dev.llmo.failure.UsageException;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/**
 * The options {@code run} and {@code chat} share, declared once ({@code @Mixin}) so that their names, help and
 * meaning cannot drift apart: {@code -s}, {@code -o}, {@code -c} / {@code --cid} to continue a conversation, and {@code --no-log}.
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

    @Option(names = "--no-log", description = "Write no conversation (no id is shown); what it spends is still "
            + "recorded, and counts against the daily budget.")
    boolean noLog;

    static final class Continuation {
        @Option(names = {"-c", "--continue"},
                description = "Continue the conversation used last, on its own model unless -m names one.")
        boolean last;

        @Option(names = {"--cid", "--resume"}, paramLabel = "ID",
                description = "Continue the conversation with this id (or prefix), or saved with /save NAME, on its "
                        + "own model unless -m names one.")
        String id;
    }

    /** -o, parsed (the role's options go beneath them: {@link dev.llmo.engine.CallDefaults}). */
    Map<String, Object> options() {
        return RunInput.options(options);
    }

    /**
     * With --no-log, where the spend of the conversation goes instead of a log (the data directory's
     * {@value UnloggedSpend#FILE_NAME}); null without it.
     */
    UnloggedSpend unlogged(CliContext context) {
        if (!noLog) {
            return null;
        }
        if (continues()) {
            throw new UsageException("--no-log and " + (continuation.last ? "-c" : "--cid")
                    + " do not go together: continuing a conversation writes to its log", "leave out one of them");
        }
        return new UnloggedSpend(UnloggedSpend.file(context.dirs().conversationsDir()), Clock.systemUTC());
    }

    /** Whether -c or --cid was given. */
    boolean continues() {
        return continuation != null;
    }

    /** The id, prefix or name given with --cid, or null for the conversation used last (-c) or none. */
    String continuedId() {
        return continuation == null ? null : continuation.id;
    }
}
