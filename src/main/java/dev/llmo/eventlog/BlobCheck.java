package dev.llmo.eventlog;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmo.io.ContentStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code log verify}'s check of the content store: every attachment a conversation refers to must be in
 * {@code blobs/sha256/<hex>} and still have that hash. The chain check finds the attachments in the same pass over
 * the file ({@link VerifyReport#attachments}), parsing only the events whose data holds one.
 */
public final class BlobCheck {
    /** The bytes every event with an attachment holds in its data (the part's type); others are not parsed. */
    static final byte[] MARKER = EventLines.ascii("\"attachment\"");
    private static final java.util.regex.Pattern SHA256 = java.util.regex.Pattern.compile("[0-9a-f]{64}");

    private BlobCheck() {
    }

    /** An attachment whose bytes are missing or changed, and the first event that refers to it. */
    public record Problem(long seq, String sha256, ContentStore.State state, Path blob) {
        /** One line: which blob, what is wrong, which event. */
        public String message() {
            return "attachment sha256:" + sha256 + " of event " + seq + (state == ContentStore.State.MISSING
                    ? " is missing from the content store (" + blob + ")"
                    : " was changed in the content store (" + blob + "): its bytes no longer have that hash");
        }
    }

    /** The attachments of the log {@code report} checked whose blobs in {@code store} are missing or changed. */
    public static List<Problem> check(VerifyReport report, ContentStore store) {
        List<Problem> problems = new ArrayList<>();
        for (Map.Entry<String, Long> attachment : report.attachments().entrySet()) {
            String sha = attachment.getKey();
            ContentStore.State state = store.check(sha);
            if (state != ContentStore.State.INTACT) {
                problems.add(new Problem(attachment.getValue(), sha, state, store.path(sha)));
            }
        }
        return problems;
    }

    /** Adds the blob hashes of every attachment part anywhere in {@code node} (messages, answers, tool results). */
    static void collect(JsonNode node, Set<String> shas) {
        if (node.isObject()) {
            if ("attachment".equals(node.path("type").asText()) && node.path("sha256").isTextual()
                    && SHA256.matcher(node.path("sha256").asText()).matches()) {
                shas.add(node.path("sha256").asText());
            }
            node.forEach(child -> collect(child, shas));
        } else if (node.isArray()) {
            node.forEach(child -> collect(child, shas));
        }
    }
}
