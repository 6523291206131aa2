package dev.llmo.eventlog;

import java.nio.file.Path;

/**
 * The outcome of checking one log file.
 *
 * @param file the file checked
 * @param events how many events form a valid chain from the start (all of them when {@link #ok()})
 * @param ended whether the last valid event is {@code session.end}
 * @param problem the first bad line and why, or null when the chain is whole
 * @param validBytes the length of the valid prefix of the file: where a repair truncates to
 * @param tailIsWholeEvent for a torn last line: whether it is a whole, valid event that only lacks its newline
 * @param attachments the blob hash of each attachment the valid events refer to, with the seq of the first event
 *     that does, in file order ({@link BlobCheck} checks the blobs)
 */
public record VerifyReport(Path file, long events, boolean ended, Problem problem, long validBytes,
                           boolean tailIsWholeEvent, java.util.Map<String, Long> attachments) {

    /** Why a log fails verification, as a user reads it: edited, reordered, removed, inserted, torn, malformed. */
    public enum Kind {
        EDITED, REORDERED, REMOVED, INSERTED, TORN, MALFORMED;

        /** The word used in messages. */
        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * The first bad line.
     *
     * @param line 1-based line number in the file
     */
    public record Problem(long line, Kind kind, String detail) {
        /** {@code line 7: edited: its content does not match its hash}. */
        public String message() {
            return "line " + line + ": " + kind.word() + ": " + detail;
        }
    }

    /** Whether every line is a valid event and the chain is whole. */
    public boolean ok() {
        return problem == null;
    }

    /** Whether {@link ChainVerifier#repair} can fix it: the only problem is a torn last line. */
    public boolean repairable() {
        return problem != null && problem.kind() == Kind.TORN;
    }
}
