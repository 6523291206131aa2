package dev.llmo.eventlog;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmo.io.ContentStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code log verify}'s check of the content store: every attachment a conversation refers to must be in
 * {@code blobs/sha256/<hex>} and still have that hash. Only lines that hold an attachment are parsed, so a log without
 * any costs one scan for a short string.
 */
public final class BlobCheck {
    private static final String MARKER = "\"attachment\"";

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

    /** The attachments of {@code log} whose blobs in {@code store} are missing or changed, each blob once. */
    public static List<Problem> check(Path log, ContentStore store) throws IOException {
        List<Problem> problems = new ArrayList<>();
        Set<String> seen = new java.util.HashSet<>();
        try (BufferedReader lines = Files.newBufferedReader(log, StandardCharsets.UTF_8)) {
            String line;
            while ((line = lines.readLine()) != null) {
                if (!line.contains(MARKER)) {
                    continue;
                }
                JsonNode event;
                try {
                    event = EventJson.MAPPER.readTree(line);
                } catch (IOException malformed) {
                    continue; // the chain check reports a malformed line
                }
                Set<String> shas = new LinkedHashSet<>();
                collect(event.path("data"), shas);
                for (String sha : shas) {
                    if (seen.add(sha)) {
                        ContentStore.State state = store.check(sha);
                        if (state != ContentStore.State.INTACT) {
                            problems.add(new Problem(event.path("seq").asLong(), sha, state, store.path(sha)));
                        }
                    }
                }
            }
        }
        return problems;
    }

    /** The blob hashes of every attachment part anywhere in {@code node} (messages, answers, tool results). */
    private static void collect(JsonNode node, Set<String> shas) {
        if (node.isObject()) {
            if ("attachment".equals(node.path("type").asText()) && node.path("sha256").isTextual()
                    && node.path("sha256").asText().matches("[0-9a-f]{64}")) {
                shas.add(node.path("sha256").asText());
            }
            node.forEach(child -> collect(child, shas));
        } else if (node.isArray()) {
            node.forEach(child -> collect(child, shas));
        }
    }
}
