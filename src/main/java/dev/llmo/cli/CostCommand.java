package dev.llmo.cli;

import dev.llmo.failure.UsageException;
import dev.llmo.cost.CostReport;
import dev.llmo.cost.SpendLog;
import dev.llmo.cost.SpendRecord;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.List;
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

    private final CliContext context;

    CostCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        ZoneId zone = zone();
        Instant from = since == null ? null : sinceDate().atStartOfDay(zone).toInstant();
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
        report.table().forEach(out::println);
        return 0;
    }

    private LocalDate sinceDate() {
        try {
            return LocalDate.parse(since.strip());
        } catch (DateTimeParseException e) {
            throw new UsageException("--since must be a date written YYYY-MM-DD, not '" + since + "'",
                    "e.g. llmo cost --since 2026-11-01", e);
        }
    }

    /** Days are local: TZ from the environment when it names a zone, else the system's zone. */
    private ZoneId zone() {
        String tz = context.environment().env().get("TZ");
        if (tz != null && !tz.isBlank()) {
            try {
                return ZoneId.of(tz.strip());
            } catch (DateTimeException e) {
                // a POSIX TZ rule such as "EST5EDT,M3.2.0,M11.1.0" or ":/etc/localtime": the JVM's reading of it
            }
        }
        return ZoneId.systemDefault();
    }
}
