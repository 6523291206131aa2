package dev.llmo.cli;

import dev.llmo.cost.CostReport;
import dev.llmo.cost.SpendLog;
import dev.llmo.cost.SpendRecord;
import dev.llmo.cli.terminal.TextTable;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code llmo cost}: spending from the event logs. */
@Command(name = "cost", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = "Show what was spent, from the event logs.",
        footerHeading = "%nExamples:%n",
        footer = {"  llmo cost", "  llmo cost --since 7d", "  llmo cost --since 2026-11-01 --by model", "  llmo cost --by day --json"})
final class CostCommand implements Callable<Integer> {
    enum Grouping { model, day }

    @Option(names = "--since", paramLabel = "WHEN", description = "Only calls since WHEN: a time ago (30m, 12h, 2d, "
            + "1w) or a date (2026-11-01, from its start in local time).")
    String since;

    @Option(names = "--by", paramLabel = "model|day", description = "Group by model or by day.")
    Grouping by;

    @Option(names = "--json", description = "{\"total_usd\": …, \"rows\": […]} on stdout.")
    boolean json;

    private final CliContext context;

    CostCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        ZoneId zone = Since.localZone(context.environment().env());
        Instant from = since == null ? null : Since.parse(since, Instant.now(), zone, "llmo cost --since 7d");
        Path dir = context.dirs().conversationsDir();
        List<SpendRecord> records = SpendLog.readDirs(context.dirs().spendLogDirs(), from);
        CostReport report = CostReport.of(records, by == Grouping.day ? CostReport.Grouping.DAY
                : CostReport.Grouping.MODEL, zone);
        PrintWriter out = context.out();
        if (json) {
            out.println(report.toJson());
            return 0;
        }
        if (records.isEmpty()) {
            context.err().println("llmo: no model calls recorded" + (since == null ? "" : " since " + since)
                    + " in " + dir);
        }
        // the cache and reasoning columns are parts of the input and output columns: spared first on a narrow terminal
        TextTable.Layout table = TextTable.layout(report.cells(), new boolean[] {false, true, true, true, true, true,
            true, true}, TerminalColumns.of(context.environment()), 4, 3, 6, 1);
        table.lines().forEach(out::println);
        out.flush();
        TextTable.omitted(context.err(), table, "llmo cost --json");
        return 0;
    }
}
