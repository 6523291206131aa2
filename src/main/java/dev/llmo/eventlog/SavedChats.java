package dev.llmo.eventlog;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Names given to conversations with {@code /save NAME}. A name is a {@code chat.save} event ({@code {"name": ...}})
 * in the conversation's own log, so it is covered by the hash chain and travels with the file; there is no index
 * to get out of step. A conversation's name is its newest such event (a second {@code /save} renames it). Looking a
 * name up reads the logs that hold such an event; when two conversations carry one name, the newer wins.
 */
public final class SavedChats {
    /** The event type. */
    public static final String EVENT = "chat.save";

    private SavedChats() {
    }

    /** Every saved name (one per conversation at most) and the id of the conversation it names, oldest first. */
    public static Map<String, String> names(Path conversationsDir) {
        ConversationStore store = new ConversationStore(conversationsDir);
        Map<String, String> names = new LinkedHashMap<>();
        for (String id : store.ids()) {
            Path file = store.file(id);
            if (!mentionsSave(file)) {
                continue;
            }
            String name = nameIn(EventLog.read(file));
            if (name != null) {
                names.remove(name); // re-inserted last: the newest conversation with the name wins
                names.put(name, id);
            }
        }
        return names;
    }

    /** The name the events' conversation was saved under last, or null: a later /save renames it. */
    static String nameIn(Iterable<Event> events) {
        String name = null;
        for (Event event : events) {
            if (EVENT.equals(event.type())) {
                String saved = event.data().path("name").asText("");
                if (!saved.isEmpty()) {
                    name = saved; // the earlier name is let go
                }
            }
        }
        return name;
    }

    /**
     * Tells those who watch the conversations directory that a name was saved: appending the event to a log leaves
     * the directory as it was, and the shell completion's cache of conversations is kept while the directory's
     * times stay the same (completion.md). Best effort: a name saved still works without it.
     */
    public static void announce(Path conversationsDir) {
        try {
            Files.setLastModifiedTime(conversationsDir, java.nio.file.attribute.FileTime.fromMillis(
                    System.currentTimeMillis()));
        } catch (IOException | RuntimeException e) {
            // the cache then shows the name once another conversation is started
        }
    }

    /** The id of the conversation saved as {@code name}. */
    public static Optional<String> idOf(Path conversationsDir, String name) {
        return Optional.ofNullable(names(conversationsDir).get(name));
    }

    // Parsing every log would cost a JSON read per event; a byte search skips the logs without a saved name. It reads
    // a buffer at a time: a log may be of any size (a damaged one a line of gigabytes), and was read whole.
    private static boolean mentionsSave(Path file) {
        String wanted = "\"" + EVENT + "\"";
        byte[] buffer = new byte[64 * 1024];
        try (java.io.InputStream in = Files.newInputStream(file)) {
            int kept = 0; // the end of the previous buffer, which a match may start in
            for (int read; (read = in.read(buffer, kept, buffer.length - kept)) > 0; ) {
                int end = kept + read;
                // byte for char: the event's name is ASCII, so it matches only its own bytes
                if (new String(buffer, 0, end, StandardCharsets.ISO_8859_1).contains(wanted)) {
                    return true;
                }
                kept = Math.min(wanted.length() - 1, end);
                System.arraycopy(buffer, end - kept, buffer, 0, kept);
            }
            return false;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
