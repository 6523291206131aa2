package dev.llmo.cli;

import dev.llmo.cli.terminal.AnswerExtras;
import picocli.CommandLine.Option;

/**
 * {@code --reasoning / --no-reasoning}, shared by every command that shows answers (run, chat, chain run). The
 * model's reasoning goes to stderr, never to stdout: by default only when stderr is a terminal (a person reads it
 * there; a log file of stderr would fill with it).
 */
final class ReasoningOptions {
    @Option(names = "--reasoning", negatable = true, defaultValue = Option.NULL_VALUE,
            description = "Show the model's reasoning on stderr (dimmed on a terminal), also when stderr is not a "
                    + "terminal; --no-reasoning hides it. Default: shown when stderr is a terminal.")
    Boolean reasoning;

    /** What is shown of an answer besides its text: on stderr, and the sources after it on stdout on a terminal. */
    AnswerExtras.Shown extras(CliContext context, boolean json) {
        CliEnvironment environment = context.environment();
        boolean notes = environment.stderrIsTerminal() || context.debug();
        return new AnswerExtras.Shown(shown(environment), context.colorErr(), environment.stderrIsTerminal(),
                notes, !json, environment.stdoutIsTerminal());
    }

    /** Whether reasoning is shown on a chat's screen, which a person reads: unless --no-reasoning. */
    boolean shownOnScreen() {
        return reasoning == null || reasoning;
    }

    /** Whether reasoning is shown, given where stderr goes. */
    boolean shown(CliEnvironment environment) {
        return reasoning != null ? reasoning : environment.stderrIsTerminal();
    }
}
