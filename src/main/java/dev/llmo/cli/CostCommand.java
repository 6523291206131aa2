package dev.llmo.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code llmo cost}: spending from the event logs. */
@Command(name = "cost", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = "Show what was spent, from the event logs.",
        footerHeading = "%nExamples:%n",
        footer = {"  llmo cost", "  llmo cost --since 2026-11-01 --by model", "  llmo cost --by day --json"})
final class CostCommand implements Callable<Integer> {
    enum Grouping { model, day }

    @Option(names = "--since", paramLabel = "DATE", description = "Only from this date (YYYY-MM-DD).")
    String since;

    @Option(names = "--by", paramLabel = "model|day", description = "Group by model or by day.")
    Grouping by;

    @Option(names = "--json", description = "{\"total_usd\": …, \"rows\": […]} on stdout.")
    boolean json;

    @Override
    public Integer call() {
        throw Unreleased.command("cost");
    }
}
