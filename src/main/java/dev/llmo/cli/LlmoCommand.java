package dev.llmo.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** The root of the command tree: global options; {@link LlmoCli#COMMANDS} lists the commands. */
@Command(name = "llmo",
        mixinStandardHelpOptions = true,
        versionProvider = BuildInfo.class,
        usageHelpAutoWidth = true,
        header = "llmo, the llm-orchestrator: send prompts to one or many LLMs, chain them, chat with them.",
        description = {
                "",
                "Models are named provider/model (openai/gpt-4o-mini), by provider alone (its default model) or by "
                        + "alias; 'llmo models' lists them. Keys come from the environment or the encrypted vault.",
                "",
        },
        footerHeading = "%nExamples:%n",
        footer = {
                "  llmo run \"Explain TCP slow start in two sentences\"",
                "  git diff | llmo run -m anthropic/claude-sonnet-4-5 \"Review this change\"",
                "  llmo run -m openai -m gemini --parallel \"Name three sorting algorithms\"",
                "  llmo chat -r Developer",
                "  llmo vault set OPENAI_API_KEY",
                "",
                "Exit codes: 0 ok, 1 failure, 2 usage, 3 configuration, 4 credentials, 5 budget,",
                "6 event log invalid, 129 hung up (SIGHUP), 130 interrupted (Ctrl-C),",
                "141 stdout closed by its reader, 143 terminated (SIGTERM).",
                "Configuration: $LLMO_HOME, or ~/.config/llmo (config.yaml, models.yaml).",
                "Data: $LLMO_HOME, or ~/.local/share/llmo (vault, conversations, history).",
                "Guide: llmo help (its pages are bundled: llmo help TOPIC); a command's options: llmo COMMAND --help.",
        })
public final class LlmoCommand implements Runnable {
    @Spec
    CommandSpec spec;

    // Read early by GlobalOptions.scan; declared here so that picocli accepts them anywhere and --help shows them.
    @Option(names = "--debug", scope = ScopeType.INHERIT,
            description = "Print stack traces and debug details on errors, and the libraries' warnings.")
    boolean debug;

    @Option(names = "--no-color", scope = ScopeType.INHERIT, description = "No colours (also when NO_COLOR is set).")
    boolean noColor;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
