package dev.llmo.cli;

import dev.llmo.cli.terminal.Columns;
import dev.llmo.cli.terminal.TerminalText;
import dev.llmo.cli.terminal.AnswerExtras;
import dev.llmo.config.ModelSpec;
import dev.llmo.config.ProviderConfig;
import dev.llmo.failure.LlmoException;
import dev.llmo.failure.LogVerificationException;
import dev.llmo.failure.UsageException;
import dev.llmo.eventlog.ChainVerifier;
import dev.llmo.core.Replay;
import dev.llmo.failure.FailureException;
import dev.llmo.core.ProviderClients;
import dev.llmo.provider.http.HttpSettings;
import dev.llmo.provider.http.Transport;
import dev.llmo.eventlog.AnchorCheck;
import dev.llmo.eventlog.ConversationStore;
import dev.llmo.eventlog.Ledger;
import dev.llmo.eventlog.LedgerEntry;
import dev.llmo.eventlog.LedgerReport;
import dev.llmo.eventlog.LedgerVerifier;
import dev.llmo.vault.PasswordSource;
import dev.llmo.vault.VaultKeys;
import dev.llmo.eventlog.ConversationSummary;
import dev.llmo.eventlog.Event;
import dev.llmo.eventlog.EventLog;
import dev.llmo.eventlog.SyntheticLog;
import dev.llmo.eventlog.VerifyReport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code llmo log}: the conversation event logs. */
@Command(name = "log", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = "List, show, verify, anchor, replay and export conversations (hash-chained event logs).",
        footerHeading = "%nExamples:%n",
        footer = {"  llmo log list", "  llmo log show 01JD", "  llmo log verify --all", "  llmo log anchor",
                "  llmo log replay 01JD",
                "  llmo log export 01JD --format md > talk.md"})
final class LogCommand implements Runnable {
    private final CliContext context;

    LogCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public void run() {
        list(false, null, null, null, null);
    }

    private ConversationStore store() {
        return new ConversationStore(context.dirs().conversationsDir());
    }

    @Command(name = "list", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
            description = {"List conversations, newest last: id, start, every model used, cost, [saved names] first prompt.",
                    "On a terminal each line is cut to fit its width; in a pipe it is not."},
            footerHeading = "%nExamples:%n",
            footer = {"  llmo log list", "  llmo log list --limit 10", "  llmo log list --since 2d --model anthropic",
                    "  llmo log list --grep 'binary search'", "  llmo log list --since 2026-11-01 --json | jq -r .id"})
    void list(@Option(names = "--json", description = "JSON Lines on stdout: one object per conversation.")
              boolean json,
              @Option(names = "--limit", paramLabel = "N", description = "Only the N newest.") Integer limit,
              @Option(names = "--since", paramLabel = "WHEN", description = "Only those started since WHEN: a time "
                      + "ago (30m, 12h, 2d, 1w) or a date (2026-11-01, local time).") String since,
              @Option(names = "--model", paramLabel = "MODEL", description = "Only those that used MODEL "
                      + "(provider/model, a model's name or alias, or a provider: every model of it).") String model,
              @Option(names = "--grep", paramLabel = "TEXT", description = "Only those with TEXT in a message, "
                      + "an answer or a saved name (case-insensitive).") String grep) {
        ConversationStore store = store();
        LogListing listing = new LogListing(limit, since == null ? null
                : Since.parse(since, java.time.Instant.now(),
                        Since.localZone(context.environment().env()), "llmo log list --since 2d"), model, grep,
                model == null ? null : modelsNamed(model));
        PrintWriter out = json ? context.jsonOut() : context.out();
        if (store.ids().isEmpty()) {
            context.err().println("llmo: no conversations yet in " + store.dir());
            return;
        }
        List<LogListing.Listed> summaries = listing.select(store, note -> context.err().println("llmo: note: "
                + note));
        if (summaries.isEmpty()) {
            context.err().println("llmo: no conversation matches");
            return;
        }
        if (json) {
            summaries.forEach(listed -> out.println(summaryJson(listed)));
            return;
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"ID", "STARTED", "MODELS", "COST", "FIRST PROMPT"});
        for (LogListing.Listed listed : summaries) {
            ConversationSummary s = listed.summary();
            rows.add(new String[] {s.id(), s.started() == null ? "-"
                    : s.started().substring(0, Math.min(16, s.started().length())).replace('T', ' '),
                String.join(",", s.models()), ConversationRenderer.usd(s), prompt(listed.names(), s.firstPrompt())});
        }
        int width = TerminalColumns.of(context.environment());
        if (width > 0 && naturalWidth(rows, 12) > width) {
            shortenIds(rows, store.ids());
        }
        printTable(rows, out, width);
    }

    /** The line's width with the models and prompt columns narrowed to at most {@code narrow}. */
    private static int naturalWidth(List<String[]> rows, int narrow) {
        int total = 0;
        for (int i = 0; i < rows.get(0).length; i++) {
            int column = 0;
            for (String[] row : rows) {
                column = Math.max(column, Columns.of(row[i]));
            }
            total += (i == 2 || i == 4 ? Math.min(narrow, column) : column) + (i == 0 ? 0 : 2);
        }
        return total;
    }

    /**
     * Each id as its shortest prefix that no other conversation's id starts with (at least 8 characters), which
     * {@code log show} and {@code --cid} take as they take the id: on a narrow terminal the full ids left the models
     * and the prompt a column each. Never cut with "…", which no command would take.
     */
    private static void shortenIds(List<String[]> rows, List<String> all) {
        List<String> sorted = new ArrayList<>(all);
        java.util.Collections.sort(sorted);
        for (int r = 1; r < rows.size(); r++) {
            String id = rows.get(r)[0];
            int at = java.util.Collections.binarySearch(sorted, id);
            int shared = 0;
            for (int neighbour : new int[] {at - 1, at + 1}) {
                if (at >= 0 && neighbour >= 0 && neighbour < sorted.size()) {
                    shared = Math.max(shared, commonPrefix(id, sorted.get(neighbour)));
                }
            }
            rows.get(r)[0] = id.substring(0, Math.min(id.length(), Math.max(8, shared + 1)));
        }
    }

    private static int commonPrefix(String a, String b) {
        int n = 0;
        while (n < a.length() && n < b.length() && a.charAt(n) == b.charAt(n)) {
            n++;
        }
        return n;
    }

    /**
     * The models the configuration knows as {@code name} (a model's name or alias under any provider); none when the
     * configuration cannot be read: the log is listed without it, by the names it records.
     */
    private Set<String> modelsNamed(String name) {
        Set<String> ids = new HashSet<>();
        try {
            for (ProviderConfig provider : context.settings().catalog().providers()) {
                for (ModelSpec spec : provider.models()) {
                    if (spec.name().equals(name.strip()) || spec.aliases().contains(name.strip())) {
                        ids.add(provider.name() + "/" + spec.name());
                    }
                }
            }
        } catch (LlmoException e) {
            return Set.of();
        }
        return ids;
    }

    private static String summaryJson(LogListing.Listed listed) {
        ConversationSummary s = listed.summary();
        var node = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
        node.put("id", s.id());
        node.putPOJO("names", listed.names());
        node.put("started", s.started());
        node.put("command", s.command());
        node.putPOJO("models", s.models());
        node.put("first_prompt", s.firstPrompt());
        node.put("cost_micro_usd", s.costUnknown() ? null : s.costMicroUsd());
        node.put("unknown_price_calls", s.unknownPriceResponses());
        node.put("events", s.events());
        node.put("ended", s.ended());
        return node.toString();
    }

    /** The first prompt, after the conversation's saved names in brackets ({@code [notes] hi}). */
    private static String prompt(List<String> names, String text) {
        String named = names.isEmpty() ? "" : "[" + ConversationRenderer.printable(String.join(",", names)) + "] ";
        if (text == null) {
            return named.isEmpty() ? "-" : named.strip();
        }
        // whole: a pipe gets it all, a terminal's width cuts it in printTable
        return named + ConversationRenderer.printable(text.strip().replaceAll("\\s+", " "));
    }

    /**
     * The table, columns padded; with a terminal {@code width} (0: none) the models and the prompt are cut to fit it
     * (and, narrower still, the line), so that a line never wraps; in a pipe nothing is cut.
     */
    private void printTable(List<String[]> rows, PrintWriter out, int width) {
        int[] widths = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], Columns.of(row[i]));
            }
        }
        if (width > 0) {
            fit(widths, width);
        }
        for (int r = 0; r < rows.size(); r++) {
            StringBuilder line = new StringBuilder();
            String[] row = rows.get(r);
            for (int i = 0; i < row.length; i++) {
                String value = cut(row[i], widths[i]);
                String padding = " ".repeat(Math.max(0, widths[i] - Columns.of(value)));
                String cell = i == 3 ? padding + value : i == row.length - 1 ? value : value + padding;
                line.append(i == 0 ? "" : "  ").append(cell);
            }
            // narrower than even the narrowed columns: the line itself is cut, so that it never wraps
            String fitted = width > 0 ? cut(line.toString().stripTrailing(), width)
                    : line.toString().stripTrailing();
            String text = context.stdoutText(fitted);
            out.println(r == 0 && context.colorOut() ? "\u001b[1m" + text + "\u001b[0m" : text);
        }
    }

    /** Narrows the models (index 2) and prompt (index 4) columns, down to one column each, towards {@code width}. */
    private static void fit(int[] widths, int width) {
        int total = (widths.length - 1) * 2;
        for (int w : widths) {
            total += w;
        }
        int over = total - width;
        // the prompt gives first, down to a useful minimum, then the models, then the prompt again
        int prompt = Math.min(over, Math.max(0, widths[4] - 12));
        widths[4] -= Math.max(0, prompt);
        over -= Math.max(0, prompt);
        int models = Math.min(over, Math.max(0, widths[2] - 12));
        widths[2] -= Math.max(0, models);
        over -= Math.max(0, models);
        if (over > 0) {
            int more = Math.min(over, widths[4] - 1);
            widths[4] -= more;
            over -= more;
        }
        if (over > 0) {
            widths[2] = Math.max(1, widths[2] - over);
        }
    }

    private static String cut(String text, int width) {
        return Columns.cut(text, width);
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = {"Show a conversation.",
                "A log that does not verify is shown as far as it can be read, marked where its chain breaks, and "
                        + "exits 6."},
            footerHeading = "%nExamples:%n",
            footer = {"  llmo log show 01JD", "  llmo log show last"})
    void show(@Parameters(paramLabel = "ID", description = "Conversation id or unique prefix.") String id) {
        Path file = store().resolve(id);
        VerifyReport report = ChainVerifier.verify(file);
        renderer(file, report).text(context.out(), context.colorOut());
        if (!report.ok()) {
            // shown for what can be read, marked where it breaks; a script must still learn the record is not whole
            context.out().flush();
            throw failure(file, report);
        }
    }

    private ConversationRenderer renderer(Path file) {
        return renderer(file, ChainVerifier.verify(file));
    }

    private ConversationRenderer renderer(Path file, VerifyReport report) {
        List<Event> events = EventLog.read(file);
        dev.llmo.io.ContentStore blobs = dev.llmo.io.ContentStore.beside(file.toAbsolutePath().getParent());
        return new ConversationRenderer(idOf(file), events, report, sha256 -> {
            long size = blobs.size(sha256);
            return size < 0 ? -2 : size;
        });
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
                        + " torn or malformed.",
                "With --all (the default) also checks the ledger and every conversation against it: a conversation"
                        + " deleted, truncated, swapped or re-chained fails; one not in the ledger is a warning."
                        + " With a vault, a missing or MAC-less ledger fails, and the ledger's MACs are checked"
                        + " (LLMO_VAULT_PASSWORD, or asked on a terminal)."},
            footerHeading = "%nExamples:%n",
            footer = {"  llmo log verify 01JD", "  llmo log verify --all",
                "  llmo log verify --all --anchor sha256:3f2a9c01d4e7   # from 'llmo log anchor'",
                "  llmo log verify --all --repair"})
    void verify(@ArgGroup(exclusive = true) Target target,
                @Option(names = "--repair", description = "Truncate a torn last line, keeping every whole event "
                        + "(and the ledger's whole entries).") boolean repair,
                @Option(names = "--anchor", paramLabel = "HASH", description = "A ledger head kept earlier ('llmo "
                        + "log anchor'): fail unless the ledger still holds it.") String anchor,
                @Option(names = "--strict", description = "With --all: warnings fail too (exit 6): conversations "
                        + "not in the ledger or vouched for by no good MAC, entries waiting for the vault, MACs not "
                        + "checked, no ledger.") boolean strict) {
        ConversationStore store = store();
        if (target != null && target.id != null) {
            if (strict) {
                throw new UsageException("--strict applies to the whole history, not one conversation",
                        "run 'llmo log verify --all --strict'");
            }
            if (anchor != null) {
                throw new UsageException("--anchor checks the whole history, not one conversation",
                        "run 'llmo log verify --all --anchor " + anchor + "'");
            }
            Path file = store.resolve(target.id);
            List<LogVerificationException> failures = new ArrayList<>();
            verifyConversation(file, repair, anchorFinding(store, file), () -> anchorFinding(store, file), failures,
                    failures);
            if (!failures.isEmpty()) {
                throw failures.get(0);
            }
            return;
        }
        List<String> ids = store.ids();
        Path ledgerFile = ledgerFile();
        Path pendingFile = Ledger.pendingFile(ledgerFile);
        boolean vault = context.vaultKeys().exists();
        if (ids.isEmpty() && !java.nio.file.Files.exists(ledgerFile) && !java.nio.file.Files.exists(pendingFile)) {
            context.err().println("llmo: no conversations yet in " + store.dir());
            if (anchor != null) {
                throw new LogVerificationException("there is no ledger at " + ledgerFile + ", so it does not hold "
                        + "anchor " + anchor, "the whole history was deleted, or this is another LLMO_HOME");
            }
            if (vault) {
                // a fresh home with a vault, or one whose conversations were all deleted with the ledger
                context.err().println("llmo: warning: a vault exists but there is no ledger: if there were "
                        + "conversations, they were deleted together with it; only a head kept elsewhere "
                        + "('--anchor') can tell");
                if (strict) {
                    throw new LogVerificationException("--strict: no ledger while a vault exists",
                            "without --strict an empty history with a vault is a warning");
                }
            }
            return;
        }
        // the ledger is read first, so that each conversation's line says all that was found about it: no "ok" for a
        // file whose chain is whole but that the ledger says was cut or rewritten
        LedgerReport ledger = readLedger(ledgerFile, repair, true);
        LedgerReport pending = readPending(pendingFile, repair);
        List<AnchorCheck.Finding> findings = AnchorCheck.check(store, ledger, pending);
        java.util.Map<String, AnchorCheck.Finding> anchorFailures = new java.util.HashMap<>();
        findings.stream().filter(AnchorCheck.Finding::failure).forEach(f -> anchorFailures.put(f.conversation(), f));
        List<LogVerificationException> failures = new ArrayList<>();
        List<LogVerificationException> ledgerProblems = new ArrayList<>();
        for (String id : ids) {
            verifyConversation(store.file(id), repair, anchorFailures.remove(id),
                    () -> AnchorCheck.checkOne(store, ledger, pending, id).orElse(null), failures, ledgerProblems);
        }
        int chainFailures = failures.size();
        reportLedger(ledger, anchor, ledgerProblems);
        reportPending(pending, ledgerProblems);
        int warned = 0;
        boolean empty = ledger.entries().isEmpty() && pending.entries().isEmpty() && ledger.ok() && pending.ok();
        if (empty && vault) {
            context.out().println("FAILED  ledger  missing: " + (ledger.exists() ? "it is empty" : "there is none")
                    + ", yet a vault exists and " + ids.size() + " conversation" + (ids.size() == 1 ? "" : "s")
                    + " do" + (ids.size() == 1 ? "es" : ""));
            ledgerProblems.add(new LogVerificationException("the ledger " + ledgerFile + " is " + (ledger.exists()
                    ? "empty" : "missing") + " while a vault exists: it was deleted or emptied, and with it the "
                    + "record of every conversation", "restore it from a backup; if the conversations were written "
                    + "before llmo 0.2 (no ledger), end one session with the vault unlocked to start it"));
        } else if (empty) {
            context.err().println("llmo: warning: there is no ledger yet (" + ledgerFile + "): it is written when a "
                    + "session ends; if there was one, its deletion cannot be told apart from a history older than "
                    + "it");
            warned++;
        }
        List<AnchorCheck.Finding> warnings = new ArrayList<>();
        for (AnchorCheck.Finding finding : findings) {
            if (!finding.failure()) {
                warnings.add(finding);
            } else if (anchorFailures.containsKey(finding.conversation())) {
                // named by the ledger, not in the store: deleted
                ledgerProblems.add(anchorFailure(store.file(finding.conversation()), finding));
            }
        }
        warned += warnUnanchored(warnings, ledger, pending)
                + (ledger.exists() && !ledger.macsChecked() && vault ? 1 : 0);
        failures.addAll(ledgerProblems);
        if (strict && warned > 0) {
            failures.add(new LogVerificationException("--strict: " + warned + " warning" + (warned == 1 ? "" : "s")
                    + " above", "see the warnings; without --strict they do not fail"));
        }
        if (!failures.isEmpty()) {
            LogVerificationException first = failures.get(0);
            int others = failures.size() - chainFailures;
            String summary = (chainFailures > 0 ? chainFailures + " of " + ids.size() + " conversations failed "
                    + "verification" : "") + (chainFailures > 0 && others > 0 ? " and " : "")
                    + (others > 0 ? others + " ledger problem" + (others == 1 ? "" : "s") + " found" : "");
            throw new LogVerificationException(summary + "; first: " + first.getMessage(), first.fix());
        }
    }

    /**
     * Checks the pending file (entries written while the vault was locked; none is usual): repairs a torn last line
     * when asked, and adds a damaged file to {@code failures}. Its entries are reported as warnings by the caller.
     */
    private LedgerReport readPending(Path file, boolean repair) {
        LedgerReport pending = LedgerVerifier.verify(file, null);
        if (repair && pending.repairable()) {
            long before = fileSize(file);
            LedgerVerifier.repair(file, pending);
            context.out().println("repaired  pending  cut " + (before - fileSize(file)) + " bytes of torn last line, "
                    + "kept " + entries(pending.entries().size()));
            pending = LedgerVerifier.verify(file, null);
        }
        return pending;
    }

    /** Prints the pending file's FAILED line when it is damaged, and adds that to {@code failures}. */
    private void reportPending(LedgerReport pending, List<LogVerificationException> failures) {
        Path file = pending.file();
        if (!pending.ok()) {
            context.out().println("FAILED  pending  " + pending.problem().message());
            failures.add(new LogVerificationException(file + " " + pending.problem().message(), pending.repairable()
                    ? "run 'llmo log verify --all --repair' to cut it" : "it was changed after it was written; "
                    + "restore it from a backup"));
        }
    }

    /**
     * One conversation of the store against the ledger's entries for it (chain only, no MACs, no password asked):
     * what a file truncated or rewritten since its session ended, though its own chain is whole, fails with; null
     * when it matches, when no entry names it, or for a log given by path outside this home's history.
     */
    private AnchorCheck.Finding anchorFinding(ConversationStore store, Path file) {
        String id = idOf(file);
        if (!file.toAbsolutePath().normalize().equals(store.file(id).toAbsolutePath().normalize())) {
            return null;
        }
        LedgerReport ledger = LedgerVerifier.verify(ledgerFile(), null);
        LedgerReport pending = LedgerVerifier.verify(Ledger.pendingFile(ledgerFile()), null);
        return AnchorCheck.checkOne(store, ledger, pending, id).orElse(null);
    }

    /** Prints the FAILED line of a conversation the ledger finds cut, swapped, rewritten or deleted; its error. */
    private LogVerificationException anchorFailure(Path file, AnchorCheck.Finding finding) {
        context.out().println("FAILED  " + finding.conversation() + "  " + finding.kind().word() + ": "
                + finding.detail());
        return new LogVerificationException(file + " " + finding.kind().word() + ": " + finding.detail(),
                "restore it from a backup; the ledger " + ledgerFile() + " records what it held");
    }

    private Path ledgerFile() {
        return context.dirs().dataDir().resolve(Ledger.FILE_NAME);
    }

    /**
     * Checks the ledger (repairing a torn last line when asked), prints its line, and adds its problems to
     * {@code failures}; {@code mayAsk}: the vault password may be asked for on a terminal to check the MACs.
     */
    private LedgerReport checkLedger(Path file, boolean repair, String anchor, List<LogVerificationException> failures,
                                     boolean mayAsk) {
        LedgerReport ledger = readLedger(file, repair, mayAsk);
        reportLedger(ledger, anchor, failures);
        return ledger;
    }

    /** The ledger verified, with its MACs when the key is at hand, a torn last entry cut first when asked. */
    private LedgerReport readLedger(Path file, boolean repair, boolean mayAsk) {
        byte[] key = java.nio.file.Files.exists(file) ? ledgerKey(mayAsk) : null;
        try {
            LedgerReport ledger = LedgerVerifier.verify(file, key);
            if (repair && ledger.repairable()) {
                long before = fileSize(file);
                LedgerVerifier.repair(file, ledger);
                context.out().println("repaired  ledger  cut " + (before - fileSize(file)) + " bytes of torn last "
                        + "line, kept " + entries(ledger.entries().size()));
                ledger = LedgerVerifier.verify(file, key);
            }
            return ledger;
        } finally {
            if (key != null) {
                java.util.Arrays.fill(key, (byte) 0);
            }
        }
    }

    /** Prints the ledger's line (and the kept anchor's) and adds their problems to {@code failures}. */
    private void reportLedger(LedgerReport ledger, String anchor, List<LogVerificationException> failures) {
        Path file = ledger.file();
        if (ledger.entries().isEmpty() && ledger.ok()) {
            // no "ok" for a ledger that records nothing: the caller says what that means here
        } else if (ledger.ok() && !ledger.hasMacs() && context.vaultKeys().exists()) {
            // llmo seals the ledger whenever the vault is open, so this is a rewrite or a cut
            context.out().println("FAILED  ledger  unauthenticated: a vault exists but none of its "
                    + entries(ledger.entries().size()) + " has a MAC");
            failures.add(new LogVerificationException("no entry of the ledger " + file + " has a MAC although "
                    + "a vault exists: it was rewritten, or cut before its first MAC, without the vault password",
                    "restore it from a backup; if the vault was created after these entries, run 'llmo vault "
                            + "list' once: it unlocks the vault and seals the ledger"));
        } else if (ledger.ok()) {
            context.out().println("ok  ledger  " + entries(ledger.entries().size()) + ledger.head()
                    .map(h -> ", head " + h.hash()).orElse("") + macSummary(ledger));
        } else {
            context.out().println("FAILED  ledger  " + ledger.problem().message());
            failures.add(new LogVerificationException(file + " " + ledger.problem().message(), ledger.repairable()
                    ? "run 'llmo log verify --all --repair' to cut it, keeping the " + ledger.entries().size()
                    + " whole entries" : "the ledger was changed after it was written; restore it from a backup"));
        }
        if (anchor != null) {
            List<LedgerEntry> kept = anchorEntries(ledger, anchor);
            if (kept.isEmpty()) {
                context.out().println("FAILED  anchor  " + anchor + " is not in the ledger");
                failures.add(new LogVerificationException("the ledger " + file + " does not hold anchor " + anchor
                        + ": it was truncated or rewritten since that head was kept",
                        "restore the ledger and the conversations from a backup"));
            } else {
                context.out().println("ok  anchor  " + kept.get(0).hash() + " is entry " + kept.get(0).seq()
                        + " of the ledger");
            }
        }
    }

    private static String entries(int count) {
        return count + (count == 1 ? " entry" : " entries");
    }

    private static List<LedgerEntry> anchorEntries(LedgerReport ledger, String anchor) {
        String hex = anchor.strip().toLowerCase(java.util.Locale.ROOT).replaceFirst("^sha256:", "");
        if (hex.length() < 12 || !hex.matches("[0-9a-f]+")) {
            throw new UsageException("'" + anchor + "' is not a ledger head",
                    "give the hash 'llmo log anchor' printed (sha256: and at least 12 hex digits)");
        }
        List<LedgerEntry> kept = ledger.matching(hex);
        if (kept.size() > 1) {
            throw new UsageException("anchor '" + anchor + "' starts " + kept.size() + " ledger hashes",
                    "give more of its hex digits");
        }
        return kept;
    }

    private static String macSummary(LedgerReport ledger) {
        if (!ledger.macsChecked()) {
            long withMac = ledger.entries().stream().filter(LedgerEntry::authenticated).count();
            return withMac == 0 ? ", no MACs" : ", MACs not checked (" + entries((int) withMac) + (withMac == 1 ? " has" : " have") + " one)";
        }
        return ", MACs checked: " + ledger.authenticated() + " of " + ledger.entries().size() + " entries "
                + "authenticated";
    }

    /** The warnings: conversations not in the ledger, entries without a good MAC; returns how many lines. */
    private int warnUnanchored(List<AnchorCheck.Finding> warnings, LedgerReport ledger, LedgerReport pending) {
        int lines = 0;
        for (AnchorCheck.Kind kind : List.of(AnchorCheck.Kind.UNANCHORED, AnchorCheck.Kind.UNAUTHENTICATED)) {
            List<String> ids = warnings.stream().filter(f -> f.kind() == kind).map(AnchorCheck.Finding::conversation)
                    .toList();
            if (ids.isEmpty()) {
                continue;
            }
            String shown = String.join(", ", ids.size() > 10 ? ids.subList(0, 10) : ids) + (ids.size() > 10 ? ", …" : "");
            lines++;
            context.err().println(kind == AnchorCheck.Kind.UNANCHORED
                    ? "llmo: warning: " + ids.size() + " conversation" + (ids.size() == 1 ? " is" : "s are")
                    + " not in the ledger, so a deletion or rewrite of " + (ids.size() == 1 ? "it" : "them")
                    + " would go unnoticed (written before 0.2, or the session never ended): " + shown
                    : "llmo: warning: " + ids.size() + " conversation" + (ids.size() == 1 ? " is" : "s are")
                    + " named by no ledger entry a good MAC vouches for (the vault was locked when they ended): "
                    + shown);
        }
        if (ledger.macsChecked() && ledger.unauthenticated() > 0) {
            context.err().println("llmo: warning: " + ledger.unauthenticated() + " of " + ledger.entries().size()
                    + " ledger entries " + (ledger.unauthenticated() == 1 ? "has" : "have") + " no MAC: anyone who "
                    + "can write "
                    + ledger.file() + " could have written " + (ledger.unauthenticated() == 1 ? "it" : "them"));
            lines++;
        }
        int waiting = pending.entries().size();
        if (waiting > 0) {
            context.err().println("llmo: warning: " + entries(waiting) + " in " + pending.file() + " wait"
                    + (waiting == 1 ? "s" : "") + " for the vault (written while it was locked, no MAC): anyone who "
                    + "can write that file could have written " + (waiting == 1 ? "it" : "them") + "; the next "
                    + "session end with the vault unlocked moves them into the ledger with a MAC");
            lines++;
        }
        return lines;
    }

    /**
     * The ledger key to check MACs with, or null: none when there is no vault; when it is locked and the password
     * can be neither read from LLMO_VAULT_PASSWORD nor asked for ({@code mayAsk} and a terminal), a warning.
     */
    private byte[] ledgerKey(boolean mayAsk) {
        VaultKeys vault = context.vaultKeys();
        if (!vault.exists()) {
            return null;
        }
        boolean inEnvironment = !context.environment().env().getOrDefault(PasswordSource.ENV, "").isEmpty();
        if (!inEnvironment && !(mayAsk && context.environment().stdinIsTerminal())) {
            java.util.Optional<byte[]> open = vault.ledgerKey(false);  // open already, or an unlocked session
            if (open.isPresent()) {
                return open.get();
            }
            context.err().println("llmo: warning: ledger MACs not checked: the vault is locked; set "
                    + PasswordSource.ENV + " to check them");
            return null;
        }
        return vault.ledgerKeyUnlocking().orElse(null);
    }

    private static long fileSize(Path file) {
        try {
            return java.nio.file.Files.size(file);
        } catch (java.io.IOException e) {
            return 0;
        }
    }

    @Command(name = "anchor", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
            description = {"Print the ledger head: the hash of its newest entry, which vouches for every conversation"
                    + " head recorded up to it. Keep it elsewhere (like a git commit id) and check it later.",
                "--check HASH fails (exit 6) unless the ledger still holds that entry and verifies up to it."},
            footerHeading = "%nExamples:%n",
            footer = {"  llmo log anchor > ~/llmo-anchor.txt",
                    "  llmo log anchor --check \"$(cat ~/llmo-anchor.txt)\"",
                "  llmo log verify --all --anchor \"$(cat ~/llmo-anchor.txt)\""})
    void anchor(@Option(names = "--check", paramLabel = "HASH", description = "A head printed earlier: check that "
                        + "the ledger still holds it.") String check,
                @Option(names = "--json", description = "One JSON object: seq, hash, conversation, ts, entries, "
                        + "mac.") boolean json) {
        Path file = ledgerFile();
        List<LogVerificationException> failures = new ArrayList<>();
        LedgerReport ledger = check == null ? quietlyVerified(file) : checkLedger(file, false, check, failures, true);
        if (check == null && !ledger.ok()) {
            failures.add(new LogVerificationException(file + " " + ledger.problem().message(),
                    "run 'llmo log verify --all' for the whole picture"));
        }
        if (!failures.isEmpty()) {
            throw failures.get(0);
        }
        if (check != null) {
            return;
        }
        java.util.Optional<LedgerEntry> head = ledger.head();
        if (head.isEmpty()) {
            context.err().println("llmo: the ledger is empty (" + file + "): it is written when a session ends");
            return;
        }
        LedgerEntry h = head.get();
        if (json) {
            var node = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
            node.put("seq", h.seq());
            node.put("hash", h.hash());
            node.put("conversation", h.conversation());
            node.put("ts", h.ts());
            node.put("entries", ledger.entries().size());
            node.put("mac", h.authenticated());
            context.out().println(node.toString());
            return;
        }
        context.out().println(h.hash());
        context.err().println("llmo: ledger head: entry " + h.seq() + " (conversation " + h.conversation() + ", "
                + h.ts() + (h.authenticated() ? ", with a MAC" : ", without a MAC") + "); keep it elsewhere and "
                + "check it later with 'llmo log anchor --check HASH'");
    }

    /** The ledger checked with its MACs only when that needs no question (LLMO_VAULT_PASSWORD set). */
    private LedgerReport quietlyVerified(Path file) {
        boolean inEnvironment = !context.environment().env().getOrDefault(PasswordSource.ENV, "").isEmpty();
        byte[] key = context.vaultKeys().ledgerKey(inEnvironment).orElse(null);
        try {
            return LedgerVerifier.verify(file, key);
        } finally {
            if (key != null) {
                java.util.Arrays.fill(key, (byte) 0);
            }
        }
    }

    /**
     * Verifies one conversation, the same way for one ID and for --all: its chain (a torn last line cut first when
     * asked), its attachments' blobs, and what the ledger found about it ({@code anchored}, null for nothing; found
     * again by {@code anchoredAfterRepair} when a repair changed the file, which the ledger may now match). Prints
     * "ok" only when all of it passes, else a FAILED line per problem; adds the file's own problems to {@code
     * failures} and the ledger's finding to {@code ledgerProblems}.
     */
    private void verifyConversation(Path file, boolean repair, AnchorCheck.Finding anchored,
                                    java.util.function.Supplier<AnchorCheck.Finding> anchoredAfterRepair,
                                    List<LogVerificationException> failures,
                                    List<LogVerificationException> ledgerProblems) {
        String id = idOf(file);
        VerifyReport report = ChainVerifier.verify(file);
        if (repair && report.repairable()) {
            ChainVerifier.Repair done = ChainVerifier.repair(file);
            if (done.changed()) {
                context.out().println("repaired  " + id + "  " + (done.newlineAdded()
                        ? "added the missing newline after the last event"
                        : "cut " + done.bytesRemoved() + " bytes of torn last line") + ", kept "
                        + done.after().events() + " events");
                anchored = anchoredAfterRepair.get();
            }
            report = done.after();
        }
        boolean whole = report.ok();
        if (!report.ok()) {
            context.out().println("FAILED  " + id + "  " + report.problem().message());
            failures.add(failure(file, report));
        } else {
            for (dev.llmo.eventlog.BlobCheck.Problem problem : dev.llmo.eventlog.BlobCheck.check(report,
                    dev.llmo.io.ContentStore.beside(file.toAbsolutePath().getParent()))) {
                whole = false;
                context.out().println("FAILED  " + id + "  " + problem.message());
                failures.add(new LogVerificationException(file + ": " + problem.message(),
                        "restore the blob from a backup (its name is its SHA-256, so any copy of the same file will "
                                + "do: ln or cp it to " + problem.blob() + ")"));
            }
        }
        if (anchored != null) {
            whole = false;
            ledgerProblems.add(anchorFailure(file, anchored));
        }
        if (whole) {
            context.out().println("ok  " + id + "  " + report.events() + " events"
                    + (report.ended() ? "" : " (open: no session.end yet)"));
        }
    }

    private static LogVerificationException failure(Path file, VerifyReport report) {
        String id = idOf(file);
        String fix = report.tailIsWholeEvent()
                ? "run 'llmo log verify " + id + " --repair' to add its missing newline, keeping all "
                        + (report.events() + 1) + " events"
                : report.repairable()
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
                    "Exit 1 at the first divergence, 6 if the log does not verify."},
            footerHeading = "%nExamples:%n",
            footer = {"  llmo log replay 01JD"})
    int replay(@Parameters(paramLabel = "ID", description = "Conversation id or unique prefix.") String id,
               @Mixin ReasoningOptions reasoning) {
        Path file = store().resolve(id);
        Replay.Result result = Replay.replay(file, context.settings().catalog(),
                new ProviderClients(Transport.shared(HttpSettings.DEFAULT),
                        dev.llmo.io.ContentStore.beside(file.toAbsolutePath().getParent())));
        PrintWriter out = context.out();
        AnswerExtras extras = new AnswerExtras(context.err(), reasoning.extras(context, false));
        extras.toolNames(ToolCallNames.declared(result.toolNames()));
        ReplayOutput.print(result, out, context.err(), context.environment().stdoutIsTerminal(), extras);
        out.flush();
        if (!result.reproduced()) {
            throw new FailureException("replay of " + idOf(file) + " diverged at " + result.divergence(),
                    "the answers above are the ones recorded before that point");
        }
        context.err().println("llmo: replayed " + result.calls().size() + " call" + (result.calls().size() == 1 ? ""
                : "s") + " of " + idOf(file) + "; every request matched its recorded digest"
                + (result.exitCode() == 0 ? "" : "; the run ended with exit " + result.exitCode() + ", as recorded"));
        ToolChanges.sinceRecorded(ToolChanges.recorded(file), context.settings().tools())
                .forEach(line -> context.err().println("llmo: note: " + line));
        // a replay reproduces the run, its failure too: a script checking the exit code sees what the run gave
        return result.exitCode();
    }

    enum ExportFormat { md, json }

    @Command(name = "export", mixinStandardHelpOptions = true, description = "Export a conversation.",
            footerHeading = "%nExamples:%n",
            footer = {"  llmo log export 01JD > talk.md", "  llmo log export 01JD --format json | jq ."})
    void export(@Parameters(paramLabel = "ID", description = "Conversation id or unique prefix.") String id,
                @Option(names = "--format", defaultValue = "md", paramLabel = "md|json",
                        description = "Output format (default: ${DEFAULT-VALUE}).") ExportFormat format)
            throws Exception {
        ConversationRenderer renderer = renderer(store().resolve(id));
        // read on a terminal, Markdown is shown as log show shows it, and JSON stays JSON that decodes to the same
        // text (JSON escapes C0 controls, but not DEL nor the C1 controls); to a pipe or a file it is byte for byte
        // what the log holds
        PrintWriter out = format == ExportFormat.json ? context.jsonOut()
                : TerminalText.writer(context.out(), context.environment().stdoutIsTerminal());
        if (format == ExportFormat.json) {
            renderer.json(out);
        } else {
            renderer.markdown(out);
        }
        out.flush();
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
