package dev.llmo.cli;

import dev.llmo.cli.terminal.ErrorLine;
import dev.llmo.chain.ChainDefinition;
import dev.llmo.chain.ChainRunner;
import dev.llmo.chain.ChainStep;
import dev.llmo.chain.ChainValidator;
import dev.llmo.cli.terminal.Signals;
import dev.llmo.cli.terminal.TerminalText;
import dev.llmo.config.ConfigNode;
import dev.llmo.config.ConfigNode.ListNode;
import dev.llmo.config.ConfigNode.MapNode;
import dev.llmo.config.ConfigNode.ScalarNode;
import dev.llmo.config.Settings;
import dev.llmo.failure.ConfigException;
import dev.llmo.core.Conversation;
import dev.llmo.eventlog.RunMode;
import dev.llmo.failure.ExitCode;
import dev.llmo.failure.LlmoException;
import dev.llmo.engine.Cancellation;
import dev.llmo.engine.Orchestrator;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code llmo chain}: the chains of config.yaml. */
@Command(name = "chain", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = "List, show, validate and run the chains of config.yaml.",
        footerHeading = "%nExamples:%n",
        footer = {"  llmo chain list", "  llmo chain show code_review",
                "  echo 'a CSV parser in Go' | llmo chain run code_review"})
final class ChainCommand implements Runnable {
    private final CliContext context;

    ChainCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public void run() {
        list();
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the chains with their steps.",
            footerHeading = "%nExamples:%n",
            footer = {"  llmo chain list"})
    void list() {
        Map<String, ConfigNode> chains = context.settings().chains();
        if (chains.isEmpty()) {
            context.err().println("No chains defined; add them under 'chains:' in config.yaml.");
            return;
        }
        int width = chains.keySet().stream().mapToInt(String::length).max().orElse(0);
        chains.forEach((name, chain) -> context.out().println(context.stdoutText(String.format("%-" + width + "s  %s", name, summary(chain)))));
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show one chain's steps: model, role, "
            + "prompt, condition and loop.",
            footerHeading = "%nExamples:%n",
            footer = {"  llmo chain show code_review"})
    void show(@Parameters(paramLabel = "NAME", description = "The chain.") String name) {
        ChainDefinition chain = ChainValidator.load(context.settings(), name);
        PrintWriter out = shown(context.out());
        out.println(chain.name() + (chain.description() == null ? "" : ": " + chain.description()));
        out.println("  defined at " + chain.origin().where());
        int number = 1;
        for (ChainStep step : chain.steps()) {
            String models = step.models().isEmpty() ? "(default model)" : String.join(", ", step.models());
            out.println();
            out.println(number++ + ". " + step.name() + "  " + (step.parallel() ? "parallel: " : "model: ") + models
                    + (step.role() == null ? "" : "  role: " + step.role()));
            if (step.whenSource() != null) {
                out.println("   when: " + step.whenSource());
            }
            if (step.repeat() != null) {
                out.println("   repeat until: " + step.repeat().untilSource() + " (at most " + step.repeat().max()
                        + " times)");
            }
            step.prompt().source().lines().forEach(line -> out.println("   | " + line));
        }
    }

    @Command(name = "validate", mixinStandardHelpOptions = true,
            description = "Check chains for malformed steps, unknown models, roles and template variables, and "
                    + "unbounded loops (exit 3 naming the chain, step and problem).",
            footerHeading = "%nExamples:%n",
            footer = {"  llmo chain validate", "  llmo chain validate code_review"})
    int validate(@Parameters(arity = "0..1", paramLabel = "NAME", description = "The chain (default: all).")
                 String name) {
        var settings = context.settings();
        List<String> names = name != null ? List.of(name) : List.copyOf(settings.chains().keySet());
        if (name != null) {
            settings.chain(name);
        }
        List<ConfigException> problems = new ArrayList<>();
        for (String chainName : names) {
            try {
                ChainDefinition chain = ChainValidator.load(settings, chainName);
                int steps = chain.steps().size();
                context.out().println(context.stdoutText("ok  " + chainName) + " (" + steps + (steps == 1 ? " step)" : " steps)"));
            } catch (ConfigException e) {
                problems.add(e);
            }
        }
        if (problems.isEmpty()) {
            return 0;
        }
        // Every broken chain is listed; the last one goes through the error reporter like any failure.
        for (ConfigException problem : problems.subList(0, problems.size() - 1)) {
            context.err().println(ErrorLine.of(problem, context.colorErr()));
        }
        throw problems.get(problems.size() - 1);
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = {"Run a chain on INPUT (words, or piped stdin, or both: stdin is appended as context).",
                    "The last step's answer goes to stdout; progress to stderr on a terminal."},
            footerHeading = "%nExamples:%n",
            footer = {"  echo 'a CSV parser in Go' | llmo chain run code_review",
                    "  llmo chain run code_review --dry-run \"a CSV parser in Go\"",
                    "  llmo chain run code_review --json \"a CSV parser in Go\""})
    int run(@Parameters(paramLabel = "NAME", description = "The chain.") String name,
            @Parameters(arity = "0..*", paramLabel = "INPUT", description = "The input text.") List<String> input,
            @Option(names = "--dry-run", description = "Print the plan with estimated tokens and cost; send nothing.")
            boolean dryRun,
            @Option(names = "--json", description = "One JSON object per call, with its step name.") boolean json,
            @Option(names = "--max-cost", paramLabel = "USD", description = "Refuse to spend more than this on the "
                    + "whole chain run.") java.math.BigDecimal maxCost,
            @Option(names = "--timeout", paramLabel = "SECONDS", description = "Give up on a model call after "
                    + "SECONDS in all, retries and streaming included (default 600; 0: no limit).") Double timeout,
            @Option(names = "--no-log", description = "Write no conversation (no id is shown); what it spends is "
                    + "still recorded, and counts against the daily budget.") boolean noLog,
            @Mixin ReasoningOptions reasoning, @Mixin ToolOptions toolOptions) {
        Settings settings = context.settings();
        ChainDefinition chain = ChainValidator.load(settings, name);
        String text = RunInput.text(input == null ? List.of() : input, context.environment(),
                "no input for chain '" + name + "': give INPUT words or pipe text on stdin",
                "e.g. llmo chain run " + name + " \"a CSV parser in Go\"");
        boolean usesTools = chain.steps().stream().anyMatch(step -> !step.tools().isEmpty());
        if (dryRun) {
            java.util.Map<String, byte[]> unstored = new java.util.HashMap<>(); // a dry run writes nothing
            java.util.Map<dev.llmo.chain.ChainStep, List<dev.llmo.message.Part.Attachment>> attached =
                    attachments(chain, settings, unstored);
            // the tools' declarations are part of what each step sends: their servers start to say what they are
            try (ToolOptions.Session tools = toolOptions.open(context, usesTools, null)) {
                PrintWriter out = json ? context.jsonOut() : shown(context.out());
                ChainPlan.Estimate plan = ChainPlan.print(chain, text, settings, json, out,
                        step -> attached.getOrDefault(step, List.of()), unstored::get,
                        planTools(name, tools, toolOptions));
                // what the budgets would say to the run, before its first request
                try {
                    requireAffordable(chain, plan, maxCost, false);
                } catch (dev.llmo.failure.BudgetException e) {
                    String refusal = WorstCase.asDryRun(e);
                    out.println(json ? "{\"budget_refusal\":"
                            + com.fasterxml.jackson.databind.node.TextNode.valueOf(refusal) + "}"
                            : "would be refused (exit 5): " + refusal);
                }
                out.flush();
            }
            return 0;
        }
        ChainOutput output = new ChainOutput(context, chain, json, reasoning);
        List<String> models = ChainRunner.models(chain, settings);
        // checked before any log is written
        dev.llmo.core.CallExecutor executor = CoreServices.executor(context, maxCost, timeout);
        requireKeys(chain, settings); // after the settings the executor checks: a broken configuration comes first
        java.util.Map<dev.llmo.chain.ChainStep, List<dev.llmo.message.Part.Attachment>> attached = attachments(chain,
                settings, null);
        try (ToolOptions.Session tools = toolOptions.open(context, usesTools, null)) {
            // the worst case counts the tools each step declares, so their servers start first
            requireAffordable(chain, text, settings, attached, maxCost, planTools(name, tools, toolOptions));
            return run(chain, text, settings, json, noLog, output, models, executor, attached, tools);
        }
    }

    private int run(ChainDefinition chain, String text, Settings settings, boolean json, boolean noLog,
                    ChainOutput output, List<String> models, dev.llmo.core.CallExecutor executor,
                    java.util.Map<dev.llmo.chain.ChainStep, List<dev.llmo.message.Part.Attachment>> attached,
                    ToolOptions.Session tools) {
        String name = chain.name();
        try (Conversation conversation = noLog
                     ? Conversation.unlogged("chain run " + name, RunMode.CHAIN, models, settings.digest(),
                     BuildInfo.version(), context.logOptions(), new dev.llmo.cost.UnloggedSpend(
                     dev.llmo.cost.UnloggedSpend.file(context.dirs().conversationsDir()), java.time.Clock.systemUTC()))
                     : Conversation.start(context.dirs().conversationsDir(), "chain run " + name,
                RunMode.CHAIN, models, settings.digest(), BuildInfo.version(), context.logOptions())) {
            Orchestrator engine = new Orchestrator(executor, null, tools.kit());
            output.conversation(conversation::keptId);
            Cancellation cancellation = new Cancellation();
            // a step offers its own tools:, and those of -T (every step)
            ChainRunner runner = new ChainRunner(engine, settings, conversation, true, cancellation,
                    names -> offered(name, tools, names), step -> attached.getOrDefault(step, List.of()));
            LlmoException[] lost = new LlmoException[1];
            ChainRunner.Outcome outcome = CancelOnInterrupt.run(cancellation, "the request was cancelled",
                    () -> runner.run(chain, text, output), done -> {
                        output.finish(done);
                        // the last answer may not have reached stdout (a full disk, a reader gone at the end)
                        lost[0] = RunCommand.outputLost(context.out(), conversation, done.succeeded());
                        ExitCode code = lost[0] != null ? lost[0].exitCode()
                                : done.succeeded() ? ExitCode.OK : done.failed().error().exitCode();
                        // stopped by a signal: the log says which (SIGTERM, SIGHUP), as the exit code does
                        conversation.end(code == ExitCode.INTERRUPTED ? Signals.stopping() : code);
                    });
            if (!outcome.succeeded()) {
                throw outcome.failed().error();
            }
            if (lost[0] != null) {
                throw lost[0];
            }
            return 0;
        }
    }

    /** The tools a step offers: those its {@code tools:} names, and those of {@code -T} (every step). */
    private static List<dev.llmo.tool.Tool> offered(String chain, ToolOptions.Session tools, List<String> names) {
        if (names.isEmpty()) {
            return tools.tools();
        }
        if (tools.catalog() == null) {
            throw new dev.llmo.failure.ConfigException("chain " + chain + " offers tools ("
                    + String.join(", ", names) + "), but none are configured",
                    "add mcp_servers or tools to config.yaml; see docs/usage/tools.md");
        }
        java.util.Map<String, dev.llmo.tool.Tool> offered = new java.util.LinkedHashMap<>();
        tools.tools().forEach(tool -> offered.put(tool.name(), tool));
        tools.catalog().select(names).forEach(tool -> offered.put(tool.name(), tool));
        return List.copyOf(offered.values());
    }

    private static ChainPlan.Tools planTools(String chain, ToolOptions.Session tools, ToolOptions options) {
        return new ChainPlan.Tools(step -> offered(chain, tools, step.tools()), options.maxToolRounds);
    }

    /**
     * Every step's model has a key, checked before the first request (exit 4 naming the step): a chain would
     * otherwise pay for its first steps and then stop at the step that could never be sent.
     */
    private void requireKeys(ChainDefinition chain, Settings settings) {
        Map<String, String> firstUser = new java.util.HashMap<>();
        List<dev.llmo.config.ModelRef> models = new ArrayList<>();
        for (ChainStep step : chain.steps()) {
            for (dev.llmo.config.ModelRef model : ChainRunner.defaults(step, settings).models()) {
                firstUser.putIfAbsent(model.id(), step.name());
                models.add(model);
            }
        }
        CoreServices.requireKeys(context, models,
                model -> "chain '" + chain.name() + "', step '" + firstUser.get(model.id()) + "'");
    }

    /**
     * With a budget or {@code --max-cost}, the chain's worst case (the dry run's) fits it, checked before the first
     * request (exit 5): a chain that could not finish within it would otherwise pay for its first steps and then
     * stop. A worst case that cannot be priced cannot be checked, and is refused the same way.
     */
    private void requireAffordable(ChainDefinition chain, String input, Settings settings,
                                   Map<ChainStep, List<dev.llmo.message.Part.Attachment>> attached,
                                   java.math.BigDecimal maxCost, ChainPlan.Tools tools) {
        if (WorstCase.budgeted(context, maxCost)) {
            requireAffordable(chain, ChainPlan.estimate(chain, input, settings,
                    step -> attached.getOrDefault(step, List.of()), CoreServices.contentStore(context), tools), maxCost,
                    true);
        }
    }

    /**
     * The check of {@code plan}, the chain's worst case, against the budgets (none set: nothing to check).
     *
     * @param pointToDryRun whether the refusal sends the user to {@code --dry-run}: not when it is one
     */
    private void requireAffordable(ChainDefinition chain, ChainPlan.Estimate plan, java.math.BigDecimal maxCost,
                                   boolean pointToDryRun) {
        if (!WorstCase.budgeted(context, maxCost)) {
            return;
        }
        if (plan.unpriced() != null) {
            throw WorstCase.unpriced(plan.unpriced(), "the worst case of chain '" + chain.name() + "'", "");
        }
        WorstCase.require(context, maxCost, "chain '" + chain.name() + "' could cost up to "
                + dev.llmo.cost.Usd.formatExact(plan.totalUsd()) + (pointToDryRun ? " (its worst case: see 'llmo chain "
                + "run " + chain.name() + " --dry-run')" : ""), plan.totalUsd(),
                plan.calls().stream().anyMatch(c -> c.requests() > 1)
                ? "lower the models' max_output_tokens in models.yaml, the steps' repeat max in the chain, or the tool "
                        + "rounds with --max-tool-rounds N"
                : "lower the models' max_output_tokens in models.yaml or the steps' repeat max in the chain");
    }

    /** {@code out} with every line from the configuration made visible on a terminal ({@link TerminalText}). */
    private PrintWriter shown(PrintWriter out) {
        return TerminalText.writer(out, context.environment().stdoutIsTerminal());
    }

    private static String summary(ConfigNode chain) {
        if (chain instanceof MapNode map && map.get("description") instanceof ScalarNode d && d.value() != null) {
            return d.text();
        }
        return String.join("  ->  ", steps(chain));
    }

    private static List<String> steps(ConfigNode chain) {
        ConfigNode steps = chain instanceof MapNode map ? map.get("steps") : chain;
        if (!(steps instanceof ListNode list)) {
            return List.of();
        }
        return list.items().stream().map(ChainCommand::stepText).toList();
    }

    private static String stepText(ConfigNode step) {
        if (step instanceof ScalarNode s) {
            return s.text();
        }
        if (step instanceof MapNode map && map.get("name") instanceof ScalarNode n) {
            return n.text();
        }
        return step.kind();
    }
    /**
     * The {@code attach:} of every step, read, typed and stored before the chain starts, each checked against the
     * step's models: a missing file or a model that cannot take one stops the chain before anything is sent. With
     * {@code unstored} not null (a dry run) the bytes go there instead of the content store.
     */
    private java.util.Map<dev.llmo.chain.ChainStep, List<dev.llmo.message.Part.Attachment>> attachments(
            dev.llmo.chain.ChainDefinition chain, dev.llmo.config.Settings settings,
            java.util.Map<String, byte[]> unstored) {
        java.util.Map<dev.llmo.chain.ChainStep, List<dev.llmo.message.Part.Attachment>> attached =
                new java.util.IdentityHashMap<>();
        dev.llmo.input.AttachmentReader reader = null;
        for (dev.llmo.chain.ChainStep step : chain.steps()) {
            if (step.attach().isEmpty()) {
                continue;
            }
            if (reader == null) {
                reader = new dev.llmo.input.AttachmentReader(new dev.llmo.input.InputReader(
                        java.io.InputStream::nullInputStream, context.environment().workingDir()),
                        CoreServices.contentStore(context));
            }
            List<dev.llmo.config.ModelRef> models = ChainRunner.defaults(step, settings).models();
            List<dev.llmo.message.Part.Attachment> files = new java.util.ArrayList<>();
            for (String spec : step.attach()) {
                java.util.function.Consumer<dev.llmo.message.Part.Attachment> check = read ->
                        dev.llmo.core.InputSupport.require(models, read, settings.catalog());
                if (unstored == null) {
                    files.add(reader.read(spec, null, check));
                } else {
                    dev.llmo.input.AttachmentReader.Read read = reader.readOnly(spec, null, check);
                    unstored.put(read.attachment().sha256(), read.bytes());
                    files.add(read.attachment());
                }
            }
            attached.put(step, List.copyOf(files));
        }
        return attached;
    }
}
