package dev.llmo.cli;

import dev.llmo.core.LogVerificationException;
import dev.llmo.core.UsageException;
import dev.llmo.eventlog.ChainVerifier;
import dev.llmo.core.Replay;
import dev.llmo.core.FailureException;
import dev.llmo.provider.ProviderClients;
import dev.llmo.provider.http.HttpSettings;
import dev.llmo.provider.http.Transport;
import dev.llmo.eventlog.ConversationStore;
import dev.llmo.eventlog.ConversationSummary;
import dev.llmo.eventlog.Event;
import dev.llmo.eventlog.EventLog;
import dev.llmo.eventlog.SyntheticLog;
import dev.llmo.eventlog.VerifyReport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code llmo log}: the conversation event logs. */
@Command(name = "log", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = "List, show, verify, replay and export conversations (hash-chained event logs).",
        footerHeading = "%nExamples:%n",
        footer = {"  llmo log list", "  llmo log show 01JD", "  llmo log verify --all", "  llmo log replay 01JD",
                "  llmo log export 01JD --format md > talk.md"})
final class LogCommand implements Runnable {
    private static final int PROMPT_WIDTH = 48;
    private final CliContext context;

    LogCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public void run() {
        list(false);
    }

    private ConversationStore store() {
        return new ConversationStore(context.dirs().conversationsDir());
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List conversations, newest last.")
    void list(@Option(names = "--json", description = "JSON Lines on stdout: one object per conversation.")
              boolean json) {
        ConversationStore store = store();
        List<String> ids = store.ids();
        PrintWriter out = context.out();
        if (ids.isEmpty()) {
            context.err().println("llmo: no conversations yet in " + store.dir());
            return;
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"ID", "STARTED", "MODELS", "COST", "FIRST PROMPT"});
        for (String id : ids) {
            ConversationSummary s = ConversationSummary.read(store.file(id));
            if (json) {
                out.println(summaryJson(s));
                continue;
            }
            rows.add(new String[] {id, s.started() == null ? "-"
                    : s.started().substring(0, Math.min(16, s.started().length())).replace('T', ' '),
                String.join(",", s.models()), ConversationRenderer.usd(s.costMicroUsd()), prompt(s.firstPrompt())});
        }
        if (!json) {
            printTable(rows, out);
        }
    }

    private static String summaryJson(ConversationSummary s) {
        var node = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
        node.put("id", s.id());
        node.put("started", s.started());
        node.put("command", s.command());
        node.putPOJO("models", s.models());
        node.put("first_prompt", s.firstPrompt());
        node.put("cost_micro_usd", s.costMicroUsd());
        node.put("events", s.events());
        node.put("ended", s.ended());
        return node.toString();
    }

    private static String prompt(String text) {
        if (text == null) {
            return "-";
        }
        String line = ConversationRenderer.printable(text.strip().replaceAll("\\s+", " "));
        return line.length() <= PROMPT_WIDTH ? line : line.substring(0, PROMPT_WIDTH - 1) + "…";
    }

    private void printTable(List<String[]> rows, PrintWriter out) {
        int[] widths = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        for (int r = 0; r < rows.size(); r++) {
            StringBuilder line = new StringBuilder();
            String[] row = rows.get(r);
            for (int i = 0; i < row.length; i++) {
                String cell = i == 3 ? " ".repeat(widths[i] - row[i].length()) + row[i]
                        : i == row.length - 1 ? row[i] : row[i] + " ".repeat(widths[i] - row[i].length());
                line.append(i == 0 ? "" : "  ").append(cell);
            }
            String text = line.toString().stripTrailing();
            out.println(r == 0 && context.colorOut() ? "\u001b[1m" + text + "\u001b[0m" : text);
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show a conversation.")
    void show(@Parameters(paramLabel = "ID", description = "Conversation id or unique prefix.") String id) {
        Path file = store().resolve(id);
        renderer(file).text(context.out(), context.colorOut());
    }

    private ConversationRenderer renderer(Path file) {
        List<Event> events = EventLog.read(file);
        return new ConversationRenderer(idOf(file), events, ChainVerifier.verify(file));
    }

    static final class Target {
        @Parameters(paramLabel = "ID", description = "Conversation id or unique prefix.")
        String id;

        @Option(names = "--all", description = "Every conversation (the default).")
        boolean all;
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = {"Check the hash chain of one conversation or of all (exit 6 if broken).",
                "Prints 'ok' per good file; names the first bad line and why: edited, reordered, removed, inserted,"
                        + " torn or malformed."})
    void verify(@ArgGroup(exclusive = true) Target target,
                @Option(names = "--repair", description = "Truncate a torn last line, keeping every whole event.")
                boolean repair) {
        ConversationStore store = store();
        if (target != null && target.id != null) {
            Path file = store.resolve(target.id);
            VerifyReport report = check(file, repair);
            if (!report.ok()) {
                throw failure(file, report);
            }
            return;
        }
        List<String> ids = store.ids();
        if (ids.isEmpty()) {
            context.err().println("llmo: no conversations yet in " + store.dir());
            return;
        }
        int failed = 0;
        String first = null;
        VerifyReport firstReport = null;
        for (String id : ids) {
            Path file = store.file(id);
            VerifyReport report = check(file, repair);
            if (!report.ok()) {
                context.out().println("FAILED  " + id + "  " + report.problem().message());
                if (failed++ == 0) {
                    first = id;
                    firstReport = report;
                }
            }
        }
        if (failed > 0) {
            LogVerificationException firstFailure = failure(store.file(first), firstReport);
            throw new LogVerificationException(failed + " of " + ids.size() + " conversations failed verification; first: "
                    + firstFailure.getMessage(), firstFailure.fix());
        }
    }

    /** Verifies (and repairs, when asked and possible) one file; prints its ok and repair lines. */
    private VerifyReport check(Path file, boolean repair) {
        VerifyReport report = ChainVerifier.verify(file);
        if (repair && report.repairable()) {
            ChainVerifier.Repair done = ChainVerifier.repair(file);
            if (done.changed()) {
                context.out().println("repaired  " + idOf(file) + "  " + (done.newlineAdded()
                        ? "added the missing newline after the last event"
                        : "cut " + done.bytesRemoved() + " bytes of torn last line") + ", kept "
                        + done.after().events() + " events");
            }
            report = done.after();
        }
        if (report.ok()) {
            context.out().println("ok  " + idOf(file) + "  " + report.events() + " events"
                    + (report.ended() ? "" : " (open: no session.end yet)"));
        }
        return report;
    }

    private static LogVerificationException failure(Path file, VerifyReport report) {
        String id = idOf(file);
        String fix = report.repairable()
                ? "run 'llmo log verify " + id + " --repair' to cut it, keeping the " + report.events() + " whole events"
                : "the file was changed after it was written; restore it from a backup, and do not edit logs by hand";
        return new LogVerificationException(file + " " + report.problem().message(), fix);
    }

    private static String idOf(Path file) {
        String name = file.getFileName().toString();
        return name.endsWith(".jsonl") ? name.substring(0, name.length() - ".jsonl".length()) : name;
    }

    @Command(name = "replay", mixinStandardHelpOptions = true,
            description = {"Re-run a conversation with every model call answered from the log: each request is "
                    + "rebuilt and must match its recorded SHA-256; the answers print as they did. Offline, no keys.",
                    "Exit 1 at the first divergence, 6 if the log does not verify."})
    void replay(@Parameters(paramLabel = "ID", description = "Conversation id or unique prefix.") String id) {
        Path file = store().resolve(id);
        Replay.Result result = Replay.replay(file, context.settings().catalog(),
                new ProviderClients(Transport.shared(HttpSettings.DEFAULT)));
        PrintWriter out = context.out();
        ReplayOutput.print(result.calls(), out, context.environment().stdoutIsTerminal());
        out.flush();
        if (!result.reproduced()) {
            throw new FailureException("replay of " + idOf(file) + " diverged at " + result.divergence(),
                    "the answers above are the ones recorded before that point");
        }
        context.err().println("llmo: replayed " + result.calls().size() + " call" + (result.calls().size() == 1 ? ""
                : "s") + " of " + idOf(file) + "; every request matched its recorded digest");
    }

    enum ExportFormat { md, json }

    @Command(name = "export", mixinStandardHelpOptions = true, description = "Export a conversation.")
    void export(@Parameters(paramLabel = "ID", description = "Conversation id or unique prefix.") String id,
                @Option(names = "--format", defaultValue = "md", paramLabel = "md|json",
                        description = "Output format (default: ${DEFAULT-VALUE}).") ExportFormat format)
            throws Exception {
        ConversationRenderer renderer = renderer(store().resolve(id));
        if (format == ExportFormat.json) {
            renderer.json(context.out());
        } else {
            renderer.markdown(context.out());
        }
    }

    /** Hidden, for scripts/bench.d/eventlog.sh: writes a valid log of about SIZE_MB megabytes. */
    @Command(name = "__gen-log", hidden = true, description = "Write a synthetic valid log (for benchmarks).")
    void generate(@Parameters(index = "0", paramLabel = "FILE") Path file,
                  @Parameters(index = "1", paramLabel = "SIZE_MB") long sizeMb) {
        if (sizeMb <= 0) {
            throw new UsageException("SIZE_MB must be positive, not " + sizeMb, "e.g. 'llmo log __gen-log big.jsonl 100'");
        }
        long events = SyntheticLog.write(file, sizeMb << 20, 1);
        context.out().println(file + "  " + events + " events");
    }
}
