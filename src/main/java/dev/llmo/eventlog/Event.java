package dev.llmo.eventlog;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One line of an event log, as written or read back. The {@code data} tree is shared, not copied: treat it as
 * read-only.
 *
 * @param seq the position in the log, from 0
 * @param ts when it was written, RFC 3339 UTC with milliseconds
 * @param type {@code session.start}, {@code message}, {@code request}, {@code response}, ...
 * @param prev the previous event's {@code hash} ({@link Sha256#ZERO} for the first)
 * @param hash {@code sha256:} of the canonical JSON of this event without {@code hash}
 */
public record Event(long seq, String ts, String type, ObjectNode data, String prev, String hash) {
    /** The format version written in every line's {@code v}. */
    public static final int VERSION = 1;
}
