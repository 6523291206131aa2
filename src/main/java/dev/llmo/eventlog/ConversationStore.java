package dev.llmo.eventlog;

import dev.llmo.failure.ConfigException;
import dev.llmo.failure.FailureException;
import dev.llmo.config.NameSuggestions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The conversations directory: lists the logs in it, oldest first (ids sort by creation time), and finds one by a
 * unique prefix of its id, by a name saved in chat ({@code /save NAME}), or as {@value #NEWEST}: the conversation used
 * last.
 */
public final class ConversationStore {
    /** The word that names the conversation used last ({@link #lastUsed()}) wherever an id is asked for. */
    public static final String NEWEST = "last";
    /** A log's file name is its id and this. */
    private static final String SUFFIX = ".jsonl";
    private final Path dir;

    /** The store in {@code dir}, usually {@code AppDirs.conversationsDir()}; it need not exist yet. */
    public ConversationStore(Path dir) {
        this.dir = dir;
    }

    /** The directory. */
    public Path dir() {
        return dir;
    }

    /**
     * Every conversation id, oldest first. The directory's names are read as strings (no path object, stream or lambda
     * per file): a store of thousands of logs is listed by every {@code -c}, {@code last} and {@code log list}.
     */
    public List<String> ids() {
        String[] names = dir.toFile().list();
        if (names == null) {
            if (!Files.isDirectory(dir)) {
                return List.of(); // none yet, or not a directory
            }
            // java.io says only that it failed: the NIO listing says why, as this message did before
            try (java.nio.file.DirectoryStream<Path> why = Files.newDirectoryStream(dir)) {
                throw new FailureException("cannot list " + dir, "check the directory's permissions");
            } catch (IOException e) {
                throw new FailureException("cannot list " + dir + ": " + e.getMessage(),
                        "check the directory's permissions", e);
            }
        }
        List<String> ids = new ArrayList<>(names.length);
        for (String name : names) {
            if (name.endsWith(SUFFIX)) {
                String id = name.substring(0, name.length() - SUFFIX.length());
                if (ConversationId.isValid(id)) {
                    ids.add(id);
                }
            }
        }
        ids.sort(null);
        return ids;
    }

    /**
     * The conversation with the most recent activity, as {@code llm -c} users expect: the one whose log was written
     * last (every event is a write, so its modification time is its last event's), not the one started last. Of
     * logs written within the file system's clock step, the one started later.
     *
     * @return its id, or empty when there is none
     */
    public Optional<String> lastUsed() {
        // one stat per log, in milliseconds (java.io's, with nothing allocated per file); the logs of the newest
        // millisecond are then told apart by the file system's own resolution
        java.io.File folder = dir.toFile();
        long newest = Long.MIN_VALUE;
        List<String> ties = new ArrayList<>();
        for (String id : ids()) {
            java.io.File log = new java.io.File(folder, id + SUFFIX);
            long millis = log.lastModified();
            if (millis == 0L && !log.exists()) {
                continue; // removed meanwhile (a discarded run); a time of 0 is a time (a restored archive's)
            }
            if (millis > newest) {
                newest = millis;
                ties.clear();
            }
            if (millis == newest) {
                ties.add(id);
            }
        }
        String last = null;
        java.nio.file.attribute.FileTime lastTime = null;
        for (String id : ties) {
            java.nio.file.attribute.FileTime time;
            try {
                time = Files.getLastModifiedTime(file(id));
            } catch (IOException e) {
                continue;
            }
            if (lastTime == null || time.compareTo(lastTime) >= 0) {
                last = id;
                lastTime = time;
            }
        }
        return Optional.ofNullable(last);
    }

    /** The file of a whole id. */
    public Path file(String id) {
        return dir.resolve(id + SUFFIX);
    }

    /**
     * The log to continue: the one {@code idOrPrefix} names ({@link #resolve}), or the one used last
     * ({@link #lastUsed()}) when it is null.
     *
     * @throws dev.llmo.failure.UsageException (exit 2) when there is no conversation at all to continue
     */
    public Path resolveOrNewest(String idOrPrefix) {
        if (idOrPrefix != null) {
            return resolve(idOrPrefix);
        }
        return file(lastUsed().orElseThrow(() -> new dev.llmo.failure.UsageException(
                "there is no conversation to continue in " + dir, "start one without -c/--continue")));
    }

    /**
     * The log file named by {@code idOrPrefix}: a whole id, a unique prefix of one (case-insensitive, Crockford
     * spelling: O reads as 0, I and L as 1), {@value #NEWEST} for the conversation used last, a name saved with
     * {@code /save NAME} (when no id starts so), or the path of a {@code .jsonl} file.
     *
     * @throws ConfigException (exit 3) when nothing matches (with the closest ids) or several ids do (with them)
     */
    public Path resolve(String idOrPrefix) {
        String typed = idOrPrefix.strip();
        if (typed.endsWith(".jsonl") || typed.contains("/")) {
            Path path = Path.of(typed);
            if (Files.isRegularFile(path)) {
                return path;
            }
        }
        if (typed.isEmpty()) {
            throw new ConfigException("an empty conversation id", "run 'llmo log list' to see the ids");
        }
        List<String> ids = ids();
        if (NEWEST.equals(typed) && !ids.isEmpty()) {
            return file(lastUsed().orElse(ids.get(ids.size() - 1)));
        }
        String prefix = ConversationId.normalise(typed);
        List<String> matches = ids.stream().filter(id -> id.startsWith(prefix)).toList();
        if (matches.size() == 1) {
            return file(matches.get(0));
        }
        if (matches.isEmpty()) {
            // a name given with /save in chat; looked up last, as it reads the logs that hold one
            Optional<String> saved = SavedChats.idOf(dir, typed);
            if (saved.isPresent()) {
                return file(saved.get());
            }
        }
        if (matches.size() > 1) {
            List<String> shown = matches.size() > 10 ? matches.subList(matches.size() - 10, matches.size()) : matches;
            throw new ConfigException("conversation id '" + typed + "' is ambiguous: it starts " + matches.size()
                    + " ids (" + String.join(", ", shown) + (shown.size() < matches.size() ? ", ..." : "") + ")",
                    "type more characters of the id");
        }
        if (typed.contains("/")) {
            // no id holds a '/', and no saved name matched: this was meant as a file
            Path path = Path.of(typed);
            throw new ConfigException("no file " + typed + (Files.exists(path) ? " (it is not a regular file)" : "")
                    + ", and no saved conversation of that name",
                    "give the path of a conversation's .jsonl file, or an id from 'llmo log list'");
        }
        if (ids.isEmpty()) {
            throw new ConfigException("no conversation '" + typed + "': there are no conversations in " + dir,
                    "'llmo run' and 'llmo chat' record one each");
        }
        // A prefix of three characters or fewer is one or two typos away from almost every id: no guesses then.
        String hint = prefix.length() < 4 ? "" : NameSuggestions.didYouMean(closest(prefix, ids));
        throw new ConfigException("no conversation '" + typed + "' in " + dir,
                (hint.isEmpty() ? "" : hint + " ") + "run 'llmo log list' to see the ids");
    }

    /** Ids whose start is one or two typos away from what was typed, closest first. */
    private static List<String> closest(String prefix, List<String> ids) {
        List<String> starts = new ArrayList<>();
        for (String id : ids) {
            starts.add(id.substring(0, Math.min(id.length(), prefix.length())));
        }
        List<String> near = NameSuggestions.closest(prefix, starts, 3);
        List<String> result = new ArrayList<>();
        for (String start : near) {
            ids.stream().filter(id -> id.startsWith(start)).findFirst().ifPresent(result::add);
        }
        return result;
    }
}
