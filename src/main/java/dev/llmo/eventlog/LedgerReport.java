package dev.llmo.eventlog;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The outcome of checking the ledger.
 *
 * @param file the ledger file
 * @param exists whether there is a ledger file at all
 * @param entries the entries of the valid chain from the start (all of them when {@link #ok()})
 * @param problem the first bad line and why, or null
 * @param validBytes the length of the valid prefix: where a repair of a torn last line truncates to
 * @param macsChecked whether MACs were checked (a key was given)
 * @param authenticated how many of {@code entries}, from the first, a MAC that verifies vouches for (the entry of
 *                      the last good MAC and, through {@code prev}, every one before it); 0 when MACs were not
 *                      checked
 */
public record LedgerReport(Path file, boolean exists, List<LedgerEntry> entries, Problem problem, long validBytes,
                           boolean macsChecked, int authenticated) {

    /**
     * The first bad line of the ledger.
     *
     * @param line 1-based line number
     * @param kind {@code edited}, {@code removed}, {@code inserted}, {@code torn}, {@code malformed},
     *             {@code unauthenticated} (no MAC after an entry with one) or {@code forged} (a MAC that does not
     *             verify)
     */
    public record Problem(long line, String kind, String detail) {
        /** {@code line 7: edited: its content does not match its hash}. */
        public String message() {
            return "line " + line + ": " + kind + ": " + detail;
        }
    }

    /** The report on a file that does not exist. */
    public static LedgerReport none(Path file) {
        return new LedgerReport(file, false, List.of(), null, 0, false, 0);
    }

    /** Whether some entry carries a MAC (checked or not). */
    public boolean hasMacs() {
        return entries.stream().anyMatch(LedgerEntry::authenticated);
    }

    public boolean ok() {
        return problem == null;
    }

    /** Whether the only problem is a torn last line, which {@link LedgerVerifier#repair} cuts off. */
    public boolean repairable() {
        return problem != null && problem.kind().equals("torn");
    }

    /** The newest valid entry: the ledger head to keep elsewhere. */
    public Optional<LedgerEntry> head() {
        return entries.isEmpty() ? Optional.empty() : Optional.of(entries.get(entries.size() - 1));
    }

    /** The entries after the last good MAC, which no MAC vouches for (when MACs were checked). */
    public int unauthenticated() {
        return entries.size() - authenticated;
    }

    /** The valid entry whose hash is {@code hash}, or a unique one whose hex starts with it. */
    public List<LedgerEntry> matching(String hashOrPrefix) {
        String hex = hashOrPrefix.strip().toLowerCase(java.util.Locale.ROOT);
        if (hex.startsWith(Sha256.PREFIX)) {
            hex = hex.substring(Sha256.PREFIX.length());
        }
        String prefix = Sha256.PREFIX + hex;
        return entries.stream().filter(e -> e.hash().startsWith(prefix)).toList();
    }
}
