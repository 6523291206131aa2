package dev.llmo.cli;

import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code llmo log}: the conversation event logs. */
@Command(name = "log", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = "List, show, verify, replay and export conversations (hash-chained event logs).",
        footerHeading = "%nExamples:%n",
        footer = {"  llmo log list", "  llmo log show 01JD", "  llmo log verify --all", "  llmo log replay 01JD",
                "  llmo log export 01JD --format md > talk.md"})
final class LogCommand implements Runnable {
    LogCommand(CliContext context) {
    }

    @Override
    public void run() {
        list();
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List conversations, newest last.")
    void list() {
        throw Unreleased.command("log list");
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show a conversation.")
    void show(@Parameters(paramLabel = "ID", description = "Conversation id or unique prefix.") String id) {
        throw Unreleased.command("log show");
    }

    static final class Target {
        @Parameters(paramLabel = "ID", description = "Conversation id or unique prefix.")
        String id;

        @Option(names = "--all", description = "Every conversation.")
        boolean all;
    }

    @Command(name = "verify", mixinStandardHelpOptions = true, description = "Check the hash chain (exit 6 if broken).")
    void verify(@ArgGroup(exclusive = true) Target target,
                @Option(names = "--repair", description = "Truncate a torn last line, keeping every whole event.")
                boolean repair) {
        throw Unreleased.command("log verify");
    }

    @Command(name = "replay", mixinStandardHelpOptions = true,
            description = "Re-run a conversation answered from the log (offline).")
    void replay(@Parameters(paramLabel = "ID", description = "Conversation id or unique prefix.") String id) {
        throw Unreleased.command("log replay");
    }

    enum ExportFormat { md, json }

    @Command(name = "export", mixinStandardHelpOptions = true, description = "Export a conversation.")
    void export(@Parameters(paramLabel = "ID", description = "Conversation id or unique prefix.") String id,
                @Option(names = "--format", defaultValue = "md", paramLabel = "md|json",
                        description = "Output format (default: ${DEFAULT-VALUE}).") ExportFormat format) {
        throw Unreleased.command("log export");
    }
}
