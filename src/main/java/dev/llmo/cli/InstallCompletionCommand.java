package dev.llmo.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code llmo install-completion}: shell completion scripts. */
@Command(name = "install-completion", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = "Install tab completion for bash, zsh or fish (live model, role and chain names).",
        footerHeading = "%nExamples:%n",
        footer = {"  llmo install-completion --shell bash", "  llmo install-completion --shell zsh --print > _llmo"})
final class InstallCompletionCommand implements Callable<Integer> {
    enum Shell { bash, zsh, fish }

    @Option(names = "--shell", required = true, paramLabel = "bash|zsh|fish", description = "The shell.")
    Shell shell;

    @Option(names = "--print", description = "Write the script to stdout instead of installing it.")
    boolean print;

    @Override
    public Integer call() {
        throw Unreleased.command("install-completion");
    }
}
