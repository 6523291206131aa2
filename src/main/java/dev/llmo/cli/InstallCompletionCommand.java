package dev.llmo.cli;

import dev.llmo.failure.FailureException;
import dev.llmo.failure.UsageException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code llmo install-completion}: shell completion scripts. */
@Command(name = "install-completion", mixinStandardHelpOptions = true,
        description = {"Install tab completion for bash, zsh or fish.",
                "Completes commands and options, and the current model, role, chain, conversation",
                "and key names (read from your configuration: no network, no vault unlock)."},
        footerHeading = "%nExamples:%n",
        footer = {"  llmo install-completion                 # for the shell $SHELL names",
                "  llmo install-completion --shell bash",
                "  llmo install-completion --shell fish",
                "  llmo install-completion --shell zsh --print > ~/.zfunc/_llmo"})
final class InstallCompletionCommand implements Callable<Integer> {
    enum Shell { bash, zsh, fish }

    private final CliContext context;

    @Option(names = "--shell", paramLabel = "bash|zsh|fish",
            description = "The shell: ${COMPLETION-CANDIDATES}. Default: the one $SHELL names.")
    Shell shell;

    @Option(names = "--print", description = "Write the script to stdout instead of installing it.")
    boolean print;

    InstallCompletionCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        Shell shell = this.shell != null ? this.shell : shellOf(context.environment().env().get("SHELL"));
        CompletionScripts scripts = new CompletionScripts(LlmoCli.tree(context, null));
        String script = switch (shell) {
            case bash -> scripts.bash();
            case zsh -> scripts.zsh();
            case fish -> scripts.fish();
        };
        if (print) {
            context.out().print(script);
            return 0;
        }
        Path target = target(shell, context.environment().env(), context.environment().home());
        write(target, script);
        // what was done and what is left to do are for the person, not the script's stdout (only --print's is)
        context.err().println("llmo: installed " + shell + " completion: " + target);
        String rcLine = rcLine(shell, target);
        if (rcLine != null) {
            context.err().println("llmo: " + rcLine);
        }
        return 0;
    }

    /** The shell {@code $SHELL} names (its file name: /usr/bin/zsh, /opt/homebrew/bin/fish). */
    static Shell shellOf(String shellVariable) {
        String name = shellVariable == null ? "" : shellVariable.strip();
        name = name.substring(name.lastIndexOf('/') + 1);
        for (Shell known : Shell.values()) {
            if (known.name().equals(name)) {
                return known;
            }
        }
        throw new UsageException(name.isEmpty() ? "$SHELL is not set, so the shell is not known"
                : "$SHELL names '" + name + "', which llmo has no completion for",
                "name the shell: llmo install-completion --shell bash|zsh|fish");
    }

    /** The shell's standard per-user place for a completion file. */
    static Path target(Shell shell, Map<String, String> env, Path home) {
        switch (shell) {
            case bash: {
                String userDir = env.get("BASH_COMPLETION_USER_DIR");
                Path base = userDir != null && !userDir.isBlank() ? Path.of(userDir)
                        : xdg(env, "XDG_DATA_HOME", home.resolve(".local/share")).resolve("bash-completion");
                return base.resolve("completions/llmo");
            }
            case zsh: {
                String zdotdir = env.get("ZDOTDIR");
                return (zdotdir != null && !zdotdir.isBlank() ? Path.of(zdotdir) : home).resolve(".zfunc/_llmo");
            }
            default:
                return xdg(env, "XDG_CONFIG_HOME", home.resolve(".config")).resolve("fish/completions/llmo.fish");
        }
    }

    private static Path xdg(Map<String, String> env, String name, Path fallback) {
        String value = env.get(name);
        return value != null && Path.of(value).isAbsolute() ? Path.of(value) : fallback;
    }

    /** The line (if any) the user must add to their rc file, or null when the shell finds the file by itself. */
    static String rcLine(Shell shell, Path target) {
        switch (shell) {
            case bash:
                return "bash-completion loads it in new shells; without the bash-completion package, add to ~/.bashrc:"
                        + "\n  source " + target;
            case zsh:
                return "add to ~/.zshrc, before compinit:\n  fpath=(" + target.getParent() + " $fpath)"
                        + "\n  autoload -Uz compinit && compinit";
            default:
                return null;
        }
    }

    private static void write(Path target, String script) {
        try {
            Files.createDirectories(target.getParent());
            Path temp = Files.createTempFile(target.getParent(), ".llmo-completion", ".tmp");
            Files.writeString(temp, script, StandardCharsets.UTF_8);
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new FailureException("cannot write " + target + ": " + e.getMessage(),
                    "check the directory's permissions, or use --print and save the script yourself", e);
        }
    }
}
