package dev.llmo.eventlog;

import dev.llmo.eventlog.VerifyReport.Kind;
import dev.llmo.eventlog.VerifyReport.Problem;
import java.nio.file.Path;

/**
 * Walks the facts of each line in file order and checks the chain: seq counts up from 0 and each prev is the
 * previous hash. At the first bad line it may look further ahead to say why: a bad line that the next line skips
 * over was inserted; a seq that jumps ahead was reordered when the missing seq turns up later, else removed.
 */
final class ChainLinker {
    private long line;
    private long expected;
    private String lastHash = Sha256.ZERO;
    private long validBytes;
    private boolean ended;
    private Problem problem;
    private boolean tailIsWholeEvent;
    // each attachment's blob hash and the seq of the first event that refers to it
    private final java.util.Map<String, Long> attachments = new java.util.LinkedHashMap<>();

    // the first bad line, while we look ahead to classify it
    private long badLine;
    private Kind fallbackKind;
    private String fallbackDetail;
    private boolean awaitingNext;
    private boolean searchingSeq;
    private long badSeq;

    /** Whether the verdict is known and later lines cannot change it. */
    boolean decided() {
        return problem != null;
    }

    void accept(LineFacts f) {
        line++;
        if (problem != null) {
            return;
        }
        if (awaitingNext) {
            awaitingNext = false;
            if (f.terminated() && f.ok() && f.seq() == expected && f.prev().equals(lastHash)) {
                problem = new Problem(badLine, Kind.INSERTED, "this line is not part of the chain (" + fallbackDetail
                        + "); line " + line + " continues from " + previous(badLine));
                return;
            }
            if (!searchingSeq) {
                problem = new Problem(badLine, fallbackKind, fallbackDetail);
                return;
            }
        }
        if (searchingSeq) {
            if (f.ok() && f.seq() == expected) {
                problem = new Problem(badLine, Kind.REORDERED, "it has seq " + badSeq + " where seq " + expected
                        + " belongs; seq " + expected + " is at line " + line);
            }
            return;
        }
        boolean links = f.ok() && f.seq() == expected && f.prev().equals(lastHash);
        if (!f.terminated()) {
            tailIsWholeEvent = links;
            problem = new Problem(line, Kind.TORN, links
                    ? "the last line is a whole event but has no newline (an interrupted write)"
                    : "the last line is cut short (an interrupted write)");
            return;
        }
        if (links) {
            expected++;
            lastHash = f.hash();
            validBytes = f.end();
            ended = f.sessionEnd();
            for (String sha256 : f.attachments()) {
                attachments.putIfAbsent(sha256, f.seq());
            }
            return;
        }
        badLine = line;
        if (!f.ok()) {
            pending(f.status() == LineFacts.Status.HASH_MISMATCH ? Kind.EDITED : Kind.MALFORMED, f.detail(), true);
        } else if (f.seq() == expected) {
            pending(Kind.EDITED, line == 1 ? "the first event's prev is not " + Sha256.ZERO
                    : "its prev does not match the hash of line " + (line - 1)
                    + " (that line was edited and re-hashed, or replaced)", true);
        } else if (f.seq() > expected) {
            badSeq = f.seq();
            searchingSeq = true;
            long missing = f.seq() - expected;
            pending(Kind.REMOVED, "seq jumps to " + f.seq() + " where " + expected + " belongs: " + missing
                    + (missing == 1 ? " event is" : " events are") + " missing before this line", false);
        } else {
            pending(Kind.REORDERED, "it has seq " + f.seq() + " after seq " + (expected - 1)
                    + " (a line was moved or duplicated)", true);
        }
    }

    private void pending(Kind kind, String detail, boolean checkNext) {
        fallbackKind = kind;
        fallbackDetail = detail;
        awaitingNext = checkNext;
    }

    private static String previous(long badLine) {
        return badLine == 1 ? "the start" : "line " + (badLine - 1);
    }

    VerifyReport finish(Path file) {
        if (problem == null && (awaitingNext || searchingSeq)) {
            problem = new Problem(badLine, fallbackKind, fallbackDetail);
        }
        return new VerifyReport(file, expected, ended, problem, validBytes, tailIsWholeEvent,
                java.util.Collections.unmodifiableMap(attachments));
    }
}
