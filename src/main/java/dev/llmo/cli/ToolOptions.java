package dev.llmo.cli;

import dev.llmo.engine.ToolKit;
import dev.llmo.failure.UsageException;
import dev.llmo.tool.Tool;
import dev.llmo.tool.ToolCatalog;
import dev.llmo.tool.ToolOutput;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The tool options {@code run} and {@code chat} share ({@code @Mixin}): which tools the model may call, what may run
 * without asking, and how many rounds of tool calls one answer may take.
 */
final class ToolOptions {
    @Option(names = {"-T", "--tool"}, paramLabel = "TOOL",
            description = "Offer this tool to the model: a command tool's name, SERVER.TOOL, or SERVER.* for all of "
                    + "a server's (see 'llmo tools list'). Repeatable.")
    List<String> tools = new ArrayList<>();

    @Option(names = "--approve", paramLabel = "TOOL",
            description = "Run calls of this tool (name or glob) without asking, unless a tool_policy rule denies "
                    + "them. Repeatable.")
    List<String> approve = new ArrayList<>();

    @Option(names = "--yolo", description = "Run every tool call without asking (tool_policy deny rules still hold).")
    boolean yolo;

    @Option(names = "--max-tool-rounds", paramLabel = "N",
            description = "At most N rounds of tool calls per answer (default: ${DEFAULT-VALUE}).")
    int maxToolRounds = ToolKit.DEFAULT_MAX_ROUNDS;

    /**
     * The tools of a command and what runs them; closing it stops every server it started. So does the JVM's end
     * (Ctrl-C, a signal), which does not wait for the command to close it.
     */
    record Session(List<Tool> tools, ToolKit kit, ToolCatalog catalog, Thread onExit) implements AutoCloseable {
        static final Session NONE = new Session(List.of(), null, null, null);

        static Session of(List<Tool> tools, ToolKit kit, ToolCatalog catalog) {
            Thread onExit = new Thread(catalog::close, "llmo-tools-stop");
            try {
                Runtime.getRuntime().addShutdownHook(onExit);
            } catch (IllegalStateException e) {
                onExit = null; // already exiting: close() is all there is
            }
            return new Session(tools, kit, catalog, onExit);
        }

        @Override
        public void close() {
            if (catalog != null) {
                catalog.close();
            }
            if (onExit != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(onExit);
                } catch (IllegalStateException e) {
                    // exiting: the hook runs (and finds the servers already stopped)
                }
            }
        }
    }

    /**
     * Opens the tools the flags select (and those the config enables), starting only their servers; none when
     * nothing selects any, so a run without tools starts nothing and loads none of this.
     */
    Session open(CliContext context) {
        return open(context, false, null);
    }

    /**
     * @param anyConfigured also when nothing is selected yet but the config has tools (a chat, whose /tools can add
     *                      them later)
     * @param terminal      where to ask about tool calls, or null for the process's terminal when it has one
     */
    Session open(CliContext context, boolean anyConfigured, java.util.function.Supplier<SecretPrompt> terminal) {
        if (maxToolRounds < 1) {
            throw new UsageException("--max-tool-rounds must be at least 1", "e.g. --max-tool-rounds 5");
        }
        var settings = context.settings().tools();
        boolean anyEnabled = false; // loops, not streams: every run comes here (ADR-003, lambdas at start-up)
        for (var server : settings.mcpServers().values()) {
            anyEnabled |= server.enabled();
        }
        for (var tool : settings.commandTools().values()) {
            anyEnabled |= tool.enabled();
        }
        boolean anyTools = !settings.mcpServers().isEmpty() || !settings.commandTools().isEmpty();
        if (tools.isEmpty() && !anyEnabled && !(anyConfigured && anyTools)) {
            if (!approve.isEmpty() || yolo) {
                throw new UsageException((yolo ? "--yolo" : "--approve") + " is given but no tool is offered",
                        "offer tools with -T TOOL (see 'llmo tools list')");
            }
            return Session.NONE;
        }
        context.settings().requireTrusted();
        ToolCatalog catalog = ToolCatalog.open(settings, context.dirs().toolLogDir(), ToolsCommand.secrets(context));
        try {
            Map<String, Tool> chosen = new LinkedHashMap<>();
            catalog.enabled().forEach(tool -> chosen.put(tool.name(), tool));
            if (!tools.isEmpty()) {
                catalog.select(tools).forEach(tool -> chosen.put(tool.name(), tool));
            }
            ToolKit kit = new ToolKit(new ToolKit.Runner() {
                @Override
                public ToolOutput call(Tool tool, String argumentsJson, java.util.function.Consumer<String> progress) {
                    return catalog.call(tool, argumentsJson, progress);
                }

                @Override
                public boolean stopped() {
                    return catalog.closed();
                }
            }, ToolApprovals.of(context, approve, yolo, terminal), maxToolRounds);
            return Session.of(List.copyOf(chosen.values()), kit, catalog);
        } catch (RuntimeException e) {
            catalog.close();
            throw e;
        }
    }
}
