package dev.llmo.eventlog;

/**
 * What one line says about itself, found independently of every other line (so lines can be checked in
 * parallel); {@link ChainLinker} then checks how the lines link up.
 *
 * @param status whether the line is a well-formed event whose hash matches its content
 * @param detail why not, for a user
 * @param seq, prev, hash the envelope fields (when the line reads as an event)
 * @param sessionEnd whether it is a {@code session.end} event
 * @param end the file offset just after the line's newline (or after its last byte, when torn)
 * @param terminated whether the line ends with a newline
 * @param attachments the blob hashes of the attachments the event refers to (found in the same pass, so that
 *     {@link BlobCheck} need not read the file again)
 */
record LineFacts(Status status, String detail, long seq, String prev, String hash, boolean sessionEnd, long end,
                 boolean terminated, java.util.Set<String> attachments) {

    LineFacts(Status status, String detail, long seq, String prev, String hash, boolean sessionEnd, long end,
              boolean terminated) {
        this(status, detail, seq, prev, hash, sessionEnd, end, terminated, java.util.Set.of());
    }

    enum Status { OK, HASH_MISMATCH, NOT_AN_EVENT }

    boolean ok() {
        return status == Status.OK;
    }

    static LineFacts bad(Status status, String detail, long end, boolean terminated) {
        return new LineFacts(status, detail, -1, null, null, false, end, terminated);
    }
}
