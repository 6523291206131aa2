package dev.llmo.batch;

import dev.llmo.eventlog.ConversationId;
import dev.llmo.eventlog.ConversationStore;
import dev.llmo.failure.ConfigException;
import java.nio.file.Path;
import java.util.List;

/** The batches directory ({@code batches/} beside {@code conversations/}): one record per batch, {@code <id>.jsonl}. */
public final class BatchStore {
    /** The word that names the newest batch wherever an id is asked for. */
    public static final String NEWEST = "last";

    private final Path dir;

    public BatchStore(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    /** Every batch id, oldest first (ids sort by creation time): listed as the conversations directory is. */
    public List<String> ids() {
        return new ConversationStore(dir).ids();
    }

    /** The id of a record. */
    public static String id(Path record) {
        return BatchRecord.EventLogId.of(record);
    }

    /** The record of a whole id. */
    public Path file(String id) {
        return dir.resolve(id + ".jsonl");
    }

    /**
     * The record {@code idOrPrefix} names: a whole id, a unique prefix of one (case-insensitive), or {@value #NEWEST}.
     *
     * @throws ConfigException (exit 3) when none or several match
     */
    public Path resolve(String idOrPrefix) {
        String typed = idOrPrefix.strip();
        List<String> ids = ids();
        if (ids.isEmpty()) {
            throw new ConfigException("no batch '" + typed + "': there are no batches in " + dir,
                    "'llmo batch run DATASET --prompt TEXT' starts one");
        }
        if (NEWEST.equals(typed)) {
            return file(ids.get(ids.size() - 1));
        }
        String prefix = ConversationId.normalise(typed);
        List<String> matches = prefix.isEmpty() ? List.of() : ids.stream().filter(id -> id.startsWith(prefix)).toList();
        if (matches.size() == 1) {
            return file(matches.get(0));
        }
        if (matches.isEmpty()) {
            throw new ConfigException("no batch '" + typed + "' in " + dir, "run 'llmo batch list' to see the ids");
        }
        throw new ConfigException("batch id '" + typed + "' is ambiguous: it starts " + matches.size() + " ids",
                "type more characters of the id ('llmo batch list' shows them)");
    }
}
