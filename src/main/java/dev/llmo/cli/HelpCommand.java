package dev.llmo.cli;

import dev.llmo.config.NameSuggestions;
import dev.llmo.failure.UsageException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code llmo help [TOPIC]}: the user guide bundled in llmo, page by page, or a command's help. */
@Command(name = "help", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = {"Show a page of the user guide (bundled with llmo), or list the pages.",
                "TOPIC may also be a command without a page of its own: 'llmo help models' is 'llmo models --help'; "
                        + "'llmo help chat' is the page on chat (its options: 'llmo chat --help')."},
        footerHeading = "%nExamples:%n",
        footer = {"  llmo help", "  llmo help chat", "  llmo help configuration | less", "  llmo help run"})
final class HelpCommand implements Callable<Integer> {
    private final CliContext context;

    @Parameters(arity = "0..1", paramLabel = "TOPIC",
            description = "A page of the guide (chat, configuration, event-log, …) or a command.")
    String topic;

    HelpCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        PrintWriter out = context.out();
        if (topic == null) {
            List<UserGuide.Topic> topics = UserGuide.topics();
            int width = topics.stream().mapToInt(t -> t.name().length()).max().orElse(0);
            out.println("The llmo guide: llmo help TOPIC shows a page.");
            out.println();
            for (UserGuide.Topic page : topics) {
                out.println("  " + page.name() + " ".repeat(width - page.name().length() + 2) + page.title());
            }
            out.println();
            // chat, vault, batch, … are pages as well as commands: 'llmo help chat' shows the page, not the options
            out.println("A command's options and examples: llmo COMMAND --help (also llmo help COMMAND, for a "
                    + "command with no page above).");
            return 0;
        }
        Optional<String> page = UserGuide.page(topic);
        if (page.isPresent()) {
            out.print(page.get());
            return 0;
        }
        String name = topic.strip();
        if (LlmoCli.COMMANDS.containsKey(name) && !name.startsWith("__")) {
            CommandLine command = LlmoCli.tree(context, name).getSubcommands().get(name);
            command.setColorScheme(CommandLine.Help.defaultColorScheme(context.colorOut()
                    ? CommandLine.Help.Ansi.ON : CommandLine.Help.Ansi.OFF));
            command.usage(out);
            return 0;
        }
        List<String> known = new java.util.ArrayList<>(UserGuide.topics().stream().map(UserGuide.Topic::name).toList());
        LlmoCli.COMMANDS.keySet().stream().filter(c -> !c.startsWith("__")).forEach(known::add);
        String hint = NameSuggestions.didYouMean(name, known);
        throw new UsageException("no help topic '" + name + "'" + (hint.isEmpty() ? "" : " (" + hint + ")"),
                "'llmo help' lists the topics");
    }
}
