package dev.llmo.cli;

import dev.llmo.config.ConfigNode;
import dev.llmo.config.ConfigNode.ListNode;
import dev.llmo.config.ConfigNode.MapNode;
import dev.llmo.config.ConfigNode.ScalarNode;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code llmo chain}: the chains of config.yaml. */
@Command(name = "chain", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = "List, show, validate and run the chains defined in config.yaml.",
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

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the chains with their steps.")
    void list() {
        Map<String, ConfigNode> chains = context.settings().chains();
        if (chains.isEmpty()) {
            context.err().println("No chains defined; add them under 'chains:' in config.yaml.");
            return;
        }
        int width = chains.keySet().stream().mapToInt(String::length).max().orElse(0);
        chains.forEach((name, chain) -> context.out().printf("%-" + width + "s  %s%n", name, summary(chain)));
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show one chain's definition.")
    void show(@Parameters(paramLabel = "NAME", description = "The chain.") String name) {
        ConfigNode chain = context.settings().chain(name);
        context.out().println(name + "  (" + chain.origin().where() + ")");
        for (String step : steps(chain)) {
            context.out().println("  " + step);
        }
    }

    @Command(name = "validate", mixinStandardHelpOptions = true,
            description = "Check chains for unknown models, roles and variables.")
    void validate(@Parameters(arity = "0..1", paramLabel = "NAME", description = "The chain (default: all).") String name) {
        if (name != null) {
            context.settings().chain(name);
        }
        throw Unreleased.command("chain validate");
    }

    @Command(name = "run", mixinStandardHelpOptions = true, description = "Run a chain on INPUT (or stdin).")
    void run(@Parameters(paramLabel = "NAME", description = "The chain.") String name,
             @Parameters(arity = "0..*", paramLabel = "INPUT", description = "The input text.") List<String> input,
             @Option(names = "--dry-run", description = "Print the plan with estimated tokens and cost.") boolean dryRun,
             @Option(names = "--json", description = "One JSON object per call.") boolean json) {
        context.settings().chain(name);
        throw Unreleased.command("chain run");
    }

    private static String summary(ConfigNode chain) {
        if (chain instanceof MapNode map && map.get("description") instanceof ScalarNode d && d.value() != null) {
            return d.text();
        }
        return String.join("  →  ", steps(chain));
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
}
