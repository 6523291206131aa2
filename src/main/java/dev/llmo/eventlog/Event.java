package dev.llmo.eventlog;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One line of an event log, as written or read back. The {@code data} and {@code content} trees are shared, not
 * copied: treat them as read-only. Read what it means with {@link EventCodec#decode(Event)}.
 *
 * @param version the line's format version, {@code v}: 1 or 2
 * @param seq the position in the log, from 0
 * @param ts when it was written, RFC 3339 UTC with milliseconds
 * @param type {@code session.start}, {@code message}, {@code request}, {@code response}, ...
 * @param data what the event says, hashed; in version 2 a part is named here by its content's digest
 * @param prev the previous event's {@code hash} ({@link Sha256#ZERO} for the first)
 * @param hash {@code sha256:} of the canonical JSON of this event without {@code hash} (and {@code content})
 * @param content version 2: the content of the parts, by digest, outside the hash (null when there is none)
 */
public record Event(int version, long seq, String ts, String type, ObjectNode data, String prev, String hash,
                    ObjectNode content) {
    /** The format version llmo writes. */
    public static final int VERSION = 2;
    /** The first format version, still read, verified and replayed. */
    public static final int VERSION_1 = 1;
}
