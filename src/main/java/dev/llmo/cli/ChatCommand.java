package dev.llmo.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code llmo chat}: an interactive conversation. */
@Command(name = "chat", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = "Chat with a model in an interactive session (streaming, /commands, history).",
        footerHeading = "%nExamples:%n",
        footer = {"  llmo chat", "  llmo chat -m anthropic -r Developer", "  llmo chat --continue"})
final class ChatCommand implements Callable<Integer> {
    private final CliContext context;

    @Option(names = {"-m", "--model"}, paramLabel = "MODEL", description = "Model to chat with.")
    String model;

    @Option(names = {"-r", "--role", "--mode"}, paramLabel = "ROLE", description = "Role (mode) to start with.")
    String role;

    @ArgGroup(exclusive = true)
    Resume resume;

    static final class Resume {
        @Option(names = "--resume", paramLabel = "ID", description = "Resume the conversation with this id (or prefix).")
        String id;

        @Option(names = "--continue", description = "Resume the last conversation.")
        boolean last;
    }

    ChatCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        var settings = context.settings();
        if (model != null) {
            settings.catalog().resolve(model);
        }
        if (role != null) {
            settings.role(role);
        }
        throw Unreleased.command("chat");
    }
}
