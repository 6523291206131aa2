package dev.llmo.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.llmo.cli.terminal.TerminalText;
import dev.llmo.config.PolicyRule;
import dev.llmo.core.CallId;
import dev.llmo.engine.ToolGate;
import dev.llmo.tool.Tool;
import dev.llmo.tool.ToolPolicy;
import java.io.PrintWriter;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The approval of each tool call of a run or a chat: the policy decides ({@code tool_policy}, {@code --approve},
 * {@code --yolo}); what it leaves to a person is asked on the terminal (yes, no, always for this session, or show
 * the arguments whole), one question at a time. Without a terminal nobody can be asked, so {@code ask} refuses, with
 * one line saying what would allow it.
 */
final class ToolApprovals implements ToolGate {
    /** Indents arguments for a prompt: a mapper's classes only when a call is asked about, not for every run. */
    private static final class Pretty {
        static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    }
    /** How much of one line of the arguments is shown before [s]how all. */
    private static final int LINE_CHARS_SHOWN = 300;
    private static final int LINES_SHOWN = 20;

    private final ToolPolicy policy;
    private final PrintWriter err;
    /** The terminal to ask on, or null when there is none (stdin or stderr is not a terminal). */
    private final Supplier<SecretPrompt> terminal;
    /** Runs what is shown or asked on the terminal with the waiting spinner's line erased meanwhile. */
    private final Function<Supplier<Approval>, Approval> onTerminal;
    private final Set<String> alwaysAllowed = new HashSet<>();
    private final Set<String> toldRefused = new HashSet<>();

    ToolApprovals(ToolPolicy policy, PrintWriter err, Supplier<SecretPrompt> terminal) {
        this(policy, err, terminal, Supplier::get);
    }

    private ToolApprovals(ToolPolicy policy, PrintWriter err, Supplier<SecretPrompt> terminal,
                          Function<Supplier<Approval>, Approval> onTerminal) {
        this.policy = policy;
        this.err = err;
        this.terminal = terminal;
        this.onTerminal = onTerminal;
    }

    /**
     * The gate of a command: asks on the terminal when stdin and stderr are one ({@code terminal}, or the process's
     * own when null).
     */
    static ToolApprovals of(CliContext context, List<String> approve, boolean yolo, Supplier<SecretPrompt> terminal) {
        CliEnvironment environment = context.environment();
        boolean canAsk = environment.stdinIsTerminal() && environment.stderrIsTerminal();
        if (yolo) {
            context.err().println("llmo: --yolo: every tool call runs without asking (tool_policy deny rules still "
                    + "hold)");
            context.err().flush();
        }
        // a refusal names an MCP server's tool: stderr may be a terminal even when stdin is not
        return new ToolApprovals(ToolPolicy.of(context.settings().tools().policy(), approve, yolo),
                TerminalText.writer(context.err(), environment.stderrIsTerminal()),
                !canAsk ? null : terminal != null ? terminal : SecretPrompt::system, context::asking);
    }

    @Override
    public synchronized Approval decide(CallId call, Tool tool, String argumentsJson) {
        ToolPolicy.Verdict verdict = policy.decide(tool.name(), argumentsJson);
        if (verdict.decision() == PolicyRule.Decision.ALLOW) {
            return new Approval(true, verdict.decidedBy());
        }
        if (verdict.decision() == PolicyRule.Decision.DENY) {
            return new Approval(false, verdict.decidedBy());
        }
        if (alwaysAllowed.contains(tool.name())) {
            return new Approval(true, "you (always, this session)");
        }
        if (terminal == null) {
            return onTerminal.apply(() -> refuse(tool, verdict));
        }
        return onTerminal.apply(() -> ask(tool, argumentsJson));
    }

    private Approval refuse(Tool tool, ToolPolicy.Verdict verdict) {
        if (toldRefused.add(tool.name())) {
            err.println("llmo: refused " + tool.name() + ": the policy says ask (" + verdict.decidedBy()
                    + ") and there is no terminal to ask on; allow it with --approve " + tool.name()
                    + " or a tool_policy rule");
            err.flush();
        }
        return new Approval(false, verdict.decidedBy() + " (ask, no terminal)");
    }

    private Approval ask(Tool tool, String argumentsJson) {
        List<String> lines = pretty(argumentsJson).lines().toList();
        try (SecretPrompt prompt = terminal.get()) {
            // an MCP server names its tools: on the terminal its name is shown, not obeyed
            prompt.println("llmo: the model wants to run " + TerminalText.forTerminal(tool.name() + " ("
                    + tool.source() + ")", true) + " with:");
            show(prompt, lines, Math.min(lines.size(), LINES_SHOWN), LINE_CHARS_SHOWN);
            boolean more = lines.size() > LINES_SHOWN
                    || lines.stream().anyMatch(line -> line.length() > LINE_CHARS_SHOWN);
            while (true) {
                Optional<String> answer = prompt.readLine("Allow? [y]es, [n]o, [a]lways this session"
                        + (more ? ", [s]how all" : "") + ": ");
                String choice = answer.map(a -> a.strip().toLowerCase(java.util.Locale.ROOT)).orElse("n");
                if (choice.equals("y") || choice.equals("yes")) {
                    return new Approval(true, Approval.BY_PERSON);
                }
                if (choice.equals("a") || choice.equals("always")) {
                    alwaysAllowed.add(tool.name());
                    return new Approval(true, "you (always, this session)");
                }
                if (more && (choice.equals("s") || choice.equals("show"))) {
                    show(prompt, lines, lines.size(), Integer.MAX_VALUE);
                    more = false;
                    continue;
                }
                if (choice.isEmpty() || choice.equals("n") || choice.equals("no")) {
                    return new Approval(false, Approval.BY_PERSON);
                }
            }
        }
    }

    /** The first {@code count} lines, each cut after {@code chars} characters (a long string is one line). */
    private static void show(SecretPrompt prompt, List<String> lines, int count, int chars) {
        for (int i = 0; i < count; i++) {
            String line = lines.get(i);
            String shown = line.length() <= chars ? line
                    : line.substring(0, chars) + "… (" + (line.length() - chars) + " more characters)";
            prompt.println("  " + TerminalText.forTerminal(shown, true));
        }
        if (count < lines.size()) {
            prompt.println("  ... " + (lines.size() - count) + " more lines");
        }
    }

    /** The arguments indented for reading; as the model wrote them when they are not JSON. */
    private static String pretty(String argumentsJson) {
        try {
            JsonNode parsed = Pretty.MAPPER.readTree(argumentsJson);
            return parsed == null ? argumentsJson : Pretty.MAPPER.writeValueAsString(parsed);
        } catch (Exception e) {
            return argumentsJson;
        }
    }
}
