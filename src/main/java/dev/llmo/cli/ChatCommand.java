package dev.llmo.cli;

import dev.llmo.cli.repl.ChatRepl;
import dev.llmo.cli.repl.ChatSession;
import dev.llmo.cli.repl.ContextTokenEstimator;
import dev.llmo.cli.repl.RequestAssembler;
import dev.llmo.core.NanoClock;
import dev.llmo.engine.Orchestrator;
import dev.llmo.cli.repl.ScriptedChat;
import dev.llmo.failure.ExitCode;
import dev.llmo.failure.FailureException;
import java.io.IOException;
import java.util.concurrent.Callable;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code llmo chat}: an interactive conversation. On a terminal it is a line editor with history, completion and
 * Markdown; with stdin piped each line is a turn and answers go to stdout (docs/usage/chat.md).
 */
@Command(name = "chat", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = {"Chat with a model in an interactive session (streaming, /commands, history).",
                "With stdin piped, each line is a turn and the answers go to stdout."},
        footerHeading = "%nExamples:%n",
        footer = {"  llmo chat", "  llmo chat -m anthropic -r Developer",
                "  llmo chat -s \"Answer in French\" -o temperature=0.2", "  llmo chat -c", "  llmo chat --cid rust-notes", "  printf 'hi\\n/model openai\\nmore\\n' | llmo chat"})
final class ChatCommand implements Callable<Integer> {
    private final CliContext context;

    @Option(names = {"-m", "--model"}, paramLabel = "MODEL", description = "Model to chat with.")
    String model;

    @Option(names = {"-r", "--role", "--mode"}, paramLabel = "ROLE", description = "Role (mode) to start with.")
    String role;

    @Mixin
    ReasoningOptions reasoning = new ReasoningOptions();

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "Give up on a model call after SECONDS in "
            + "all, retries and streaming included (default 600; 0: no limit).")
    Double timeout;

    @Mixin
    ConversationOptions shared = new ConversationOptions();

    @Mixin
    ToolOptions toolOptions = new ToolOptions();

    ChatCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        CliEnvironment environment = context.environment();
        dev.llmo.core.CallExecutor executor = CoreServices.executor(context, null, timeout);
        // tool questions are asked on the chat's own terminal, once it is open
        java.util.concurrent.atomic.AtomicReference<Terminal> screen = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.function.Supplier<SecretPrompt> questions = () -> screen.get() == null ? SecretPrompt.system()
                : SecretPrompt.borrowing(screen.get());
        context.askOn(questions);
        try (ToolOptions.Session tools = toolOptions.open(context, true, questions)) {
            ChatSession.Setup setup = new ChatSession.Setup(context.settings(),
                    new Orchestrator(executor, null, tools.kit()), context.dirs().conversationsDir(),
                    BuildInfo.version(), new ContextTokenEstimator(dev.llmo.context.TokenCounters.create(
                            CoreServices.contentStore(context))),
                    RequestAssembler.WHOLE_HISTORY, context.logOptions(), shared.unlogged(context));
            return chat(setup, tools, screen);
        }
    }

    private int chat(ChatSession.Setup setup, ToolOptions.Session tools,
                     java.util.concurrent.atomic.AtomicReference<Terminal> screen) {
        CliEnvironment environment = context.environment();
        try (ChatSession session = ChatSession.open(setup, model, role, shared.system, shared.options(),
                shared.continues(), shared.continuedId())) {
            session.useTools(tools.catalog(), tools.tools());
            // at the first turn, not here: a refused turn is one error line and the session goes on (chat.md)
            session.checkKeyOfDefault(model -> CoreServices.requireKeyOfDefault(context, model, "/model "));
            session.beforeEachTurn(context::forgetVaultFailure);
            ExitCode code;
            if (environment.stdinIsTerminal()) {
                try (Terminal terminal = terminal(environment)) {
                    screen.set(terminal);
                    code = new ChatRepl(session, terminal, context.dirs().historyFile(),
                            environment.stdoutIsTerminal() ? null : context.out(), context.colorOut(),
                            reasoning.shownOnScreen(), () -> waiting(session, terminal)).run();
                } catch (IOException e) {
                    throw new FailureException("cannot open the terminal: " + e.getMessage(),
                            "pipe the input instead: printf 'hello\\n' | llmo chat");
                }
            } else {
                code = ScriptedChat.run(session, environment.in(), context.out(), context.err(),
                        environment.stderrIsTerminal(), reasoning.extras(context, false));
            }
            session.end(code);
            return code.code();
        }
    }

    /**
     * A turn's spinner on the screen, started, as {@code llmo run}'s: on a real terminal only; a vault question or a
     * tool's approval question asked meanwhile holds it still.
     */
    private ChatRepl.Waiting waiting(ChatSession session, Terminal terminal) {
        if (Terminal.TYPE_DUMB.equals(terminal.getType()) || Terminal.TYPE_DUMB_COLOR.equals(terminal.getType())) {
            return null;
        }
        WaitingSpinner spinner = new WaitingSpinner(terminal.writer(), session.model().id(), NanoClock.SYSTEM,
                WaitingSpinner.FRAME_MS);
        context.waiting(spinner);
        spinner.start();
        return new ChatRepl.Waiting() {
            @Override
            public dev.llmo.core.RunListener before(dev.llmo.core.RunListener next) {
                return spinner.before(next);
            }

            @Override
            public void stop() {
                spinner.stop();
                context.waiting(WaitingSpinner.NONE);
            }
        };
    }

    /** The process's terminal; prompts go to stderr when stdout is redirected, so the answers stay clean. */
    private static Terminal terminal(CliEnvironment environment) throws IOException {
        return TerminalBuilder.builder().system(true).nativeSignals(true)
                .systemOutput(environment.stdoutIsTerminal() ? TerminalBuilder.SystemOutput.SysOut
                        : TerminalBuilder.SystemOutput.SysErr)
                .build();
    }
}
