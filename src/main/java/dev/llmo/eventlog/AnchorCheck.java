package dev.llmo.eventlog;

import dev.llmo.failure.FailureException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Checks the conversations against the ledger: every entry of a conversation names an event (seq and hash) that
 * its file must still hold at that seq, since a log only grows. A file gone is {@code deleted}; one with fewer
 * events than an entry recorded is {@code truncated}; one holding another conversation's recorded head is
 * {@code swapped}; one whose event at a recorded seq has another hash was {@code re-chained} (rewritten). Files no
 * entry names are {@code unanchored}: a warning, not a failure (written before the ledger existed, or their session
 * never ended).
 */
public final class AnchorCheck {
    private AnchorCheck() {
    }

    /** What was found for one conversation. */
    public record Finding(String conversation, Kind kind, String detail) {
        /** Whether it fails verification (exit 6) rather than being a warning. */
        public boolean failure() {
            return kind != Kind.UNANCHORED && kind != Kind.UNAUTHENTICATED;
        }
    }

    /** The kinds of finding, as words in messages. */
    public enum Kind {
        DELETED("deleted"), TRUNCATED("truncated"), SWAPPED("swapped"), RECHAINED("re-chained"),
        UNANCHORED("unanchored"), UNAUTHENTICATED("unauthenticated");

        private final String word;

        Kind(String word) {
            this.word = word;
        }

        public String word() {
            return word;
        }
    }

    /**
     * Checks every conversation of {@code store} against the valid entries of {@code ledger} and of the pending file
     * ({@code pending}: entries written without the key, waiting for a MAC), in id order. Conversations that check
     * out produce no finding; one that no MAC vouches for is {@code unauthenticated} when the MACs were checked or
     * when only pending entries name it.
     */
    public static List<Finding> check(ConversationStore store, LedgerReport ledger, LedgerReport pending) {
        Map<String, List<LedgerEntry>> byConversation = new TreeMap<>();
        Map<String, String> headOwners = new HashMap<>();
        java.util.Set<String> vouched = new java.util.HashSet<>();
        java.util.Set<String> inLedger = new java.util.HashSet<>();
        for (LedgerEntry entry : ledger.entries()) {
            byConversation.computeIfAbsent(entry.conversation(), id -> new ArrayList<>()).add(entry);
            headOwners.put(entry.headHash(), entry.conversation());
            inLedger.add(entry.conversation());
            if (entry.seq() < ledger.authenticated()) {
                vouched.add(entry.conversation());
            }
        }
        for (LedgerEntry entry : pending.entries()) {
            byConversation.computeIfAbsent(entry.conversation(), id -> new ArrayList<>()).add(entry);
            headOwners.put(entry.headHash(), entry.conversation());
        }
        List<String> ids = store.ids();
        List<Finding> findings = new ArrayList<>();
        for (Map.Entry<String, List<LedgerEntry>> anchored : byConversation.entrySet()) {
            String id = anchored.getKey();
            Finding finding = checkOne(store.file(id), id, anchored.getValue(), headOwners);
            if (finding == null && !inLedger.contains(id)) {
                finding = new Finding(id, Kind.UNAUTHENTICATED, "only entries waiting for the vault name it");
            } else if (finding == null && ledger.macsChecked() && !vouched.contains(id)) {
                finding = new Finding(id, Kind.UNAUTHENTICATED, "no ledger entry a good MAC vouches for names it");
            }
            if (finding != null) {
                findings.add(finding);
            }
        }
        for (String id : ids) {
            if (!byConversation.containsKey(id)) {
                findings.add(new Finding(id, Kind.UNANCHORED, "no ledger entry names it"));
            }
        }
        findings.sort(java.util.Comparator.comparing(Finding::conversation));
        return findings;
    }

    /** {@link #check(ConversationStore, LedgerReport, LedgerReport)} without pending entries. */
    public static List<Finding> check(ConversationStore store, LedgerReport ledger) {
        return check(store, ledger, LedgerReport.none(Ledger.pendingFile(ledger.file())));
    }

    /** Checks one conversation against the entries of {@code ledger} that name it; empty when none does or all match. */
    public static java.util.Optional<Finding> checkOne(ConversationStore store, LedgerReport ledger,
                                                       LedgerReport pending, String id) {
        Map<String, String> headOwners = new HashMap<>();
        List<LedgerEntry> mine = new ArrayList<>();
        List<LedgerEntry> all = new ArrayList<>(ledger.entries());
        all.addAll(pending.entries());
        for (LedgerEntry entry : all) {
            headOwners.put(entry.headHash(), entry.conversation());
            if (entry.conversation().equals(id)) {
                mine.add(entry);
            }
        }
        return mine.isEmpty() ? java.util.Optional.empty()
                : java.util.Optional.ofNullable(checkOne(store.file(id), id, mine, headOwners));
    }

    /** The first mismatch between {@code file} and the entries that name it, or null. */
    static Finding checkOne(Path file, String id, List<LedgerEntry> entries, Map<String, String> headOwners) {
        if (!Files.exists(file)) {
            LedgerEntry last = entries.get(entries.size() - 1);
            return new Finding(id, Kind.DELETED, "the file is gone; the ledger recorded " + (last.headSeq() + 1)
                    + " events (entry " + last.seq() + ")");
        }
        Map<Long, Event> wanted = new LinkedHashMap<>();
        entries.forEach(e -> wanted.put(e.headSeq(), null));
        Probe probe = probe(file, wanted);
        for (LedgerEntry entry : entries) {
            Event at = wanted.get(entry.headSeq());
            if (at != null && at.hash().equals(entry.headHash()) && at.seq() == entry.headSeq()) {
                continue;
            }
            String owner = otherOwner(id, headOwners, at, probe.last());
            if (owner != null) {
                return new Finding(id, Kind.SWAPPED, "the file holds the events of conversation " + owner
                        + " (ledger entry " + entry.seq() + ")");
            }
            if (probe.lines() <= entry.headSeq()) {
                return new Finding(id, Kind.TRUNCATED, "the file has " + probe.lines() + " events; the ledger "
                        + "recorded " + (entry.headSeq() + 1) + " (entry " + entry.seq() + ")");
            }
            return new Finding(id, Kind.RECHAINED, "its event at seq " + entry.headSeq() + " is not the one the "
                    + "ledger recorded (entry " + entry.seq() + "): the file was rewritten");
        }
        return null;
    }

    private static String otherOwner(String id, Map<String, String> headOwners, Event at, Event last) {
        for (Event event : new Event[] {at, last}) {
            String owner = event == null ? null : headOwners.get(event.hash());
            if (owner != null && !owner.equals(id)) {
                return owner;
            }
        }
        return null;
    }

    /** How many whole lines the file has, and its last event. */
    private record Probe(long lines, Event last) {
    }

    /** One pass over {@code file}: fills {@code wanted} (line index → the event on that line) and counts lines. */
    private static Probe probe(Path file, Map<Long, Event> wanted) {
        long line = 0;
        Event last = null;
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            ChunkReader chunks = new ChunkReader(in, 1 << 20);
            for (ChunkReader.Chunk chunk = chunks.next(); chunk != null; chunk = chunks.next()) {
                if (chunk.overlong()) {
                    line += chunk.last() ? 0 : 1; // a line, but no event: what it says is not read
                    continue;
                }
                int lastFrom = -1;
                int lastEnd = -1;
                for (int from = 0; from < chunk.length(); ) {
                    int end = chunk.lineEnd(from);
                    if (end == chunk.length()) {
                        break; // a torn last line is not an event
                    }
                    if (wanted.containsKey(line)) {
                        wanted.put(line, EventLines.parse(chunk.bytes(), from, end - from));
                    }
                    lastFrom = from;
                    lastEnd = end;
                    line++;
                    from = end + 1;
                }
                if (lastFrom >= 0) { // one parse per chunk: the newest whole line so far
                    last = EventLines.parse(chunk.bytes(), lastFrom, lastEnd - lastFrom);
                }
            }
        } catch (NoSuchFileException e) {
            return new Probe(0, null);
        } catch (IOException e) {
            throw new FailureException("cannot read " + file + ": " + e.getMessage(), "check the file's permissions", e);
        }
        return new Probe(line, last);
    }
}
