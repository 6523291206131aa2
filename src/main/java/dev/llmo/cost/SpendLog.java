package dev.llmo.cost;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.llmo.failure.FailureException;
import dev.llmo.io.LineEnds;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads the spending recorded in the event logs: the {@code response} events of every {@code *.jsonl} in the
 * conversations directory, and the {@code batch.row} and {@code batch.judge} entries of the batch records (one file per
 * batch, in {@code batches/}). Built to be quick on a large history: files last modified before the period asked
 * for are not opened; lines that do not mention {@code "cost_micro_usd"} are skipped with a byte search; the rest are
 * read with a streaming parser that skips the answer's text instead of decoding it. Lenient like
 * {@code EventLog.read}: a torn last line or a line that is not an event is ignored ({@code llmo log verify}
 * judges the chain).
 */
public final class SpendLog {
    private static final JsonFactory JSON = new JsonFactory();
    private static final byte[] COST = "\"cost_micro_usd\"".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    /** The event types whose cost is spending: a conversation's responses, a batch record's rows and judges. */
    private static final java.util.Set<String> SPENDING = java.util.Set.of("response", "batch.row", "batch.judge");

    private SpendLog() {
    }

    /** Every response logged at or after {@code from} (null: all), in file order; see {@link #scan}. */
    public static List<SpendRecord> read(Path conversationsDir, Instant from) {
        List<SpendRecord> records = new ArrayList<>();
        scan(conversationsDir, from, records::add);
        return records;
    }

    /**
     * Hands every response logged at or after {@code from} (null: all) to {@code sink}.
     *
     * @throws FailureException when the directory or a file cannot be read
     */
    public static void scan(Path conversationsDir, Instant from, Consumer<SpendRecord> sink) {
        List<Path> files = new ArrayList<>();
        if (Files.isDirectory(conversationsDir)) {
            try (DirectoryStream<Path> dir = Files.newDirectoryStream(conversationsDir, "*.jsonl")) {
                for (Path file : dir) {
                    if (recent(file, from)) {
                        files.add(file);
                    }
                }
            } catch (NoSuchFileException e) {
                // removed while we listed: nothing to count
            } catch (IOException e) {
                throw new FailureException("cannot list " + conversationsDir + ": " + e.getMessage(),
                        "check the directory's permissions", e);
            }
            files.sort(null);
        }
        // what runs without a conversation (--no-log) spent, recorded beside the conversations
        Path unlogged = UnloggedSpend.file(conversationsDir);
        if (Files.isRegularFile(unlogged) && recent(unlogged, from)) {
            files.add(unlogged);
        }
        scan(files, from, sink);
    }

    /** Hands every response of {@code files} logged at or after {@code from} (null: all) to {@code sink}. */
    static void scan(List<Path> files, Instant from, Consumer<SpendRecord> sink) {
        for (Path file : files) {
            scanFile(file, 0, from, sink);
        }
    }

    /**
     * {@link #scan} of several directories (the conversations first, then the batches), with the spending of runs
     * without a conversation ({@code --no-log}) beside the first counted once.
     */
    public static void scanDirs(List<Path> dirs, Instant from, Consumer<SpendRecord> sink) {
        List<Path> files = new ArrayList<>();
        for (Path dir : dirs) {
            files.addAll(logs(dir, from));
        }
        if (!dirs.isEmpty()) {
            Path unlogged = UnloggedSpend.file(dirs.get(0));
            if (Files.isRegularFile(unlogged) && recent(unlogged, from)) {
                files.add(unlogged);
            }
        }
        scan(files, from, sink);
    }

    /** {@link #read} of several directories; see {@link #scanDirs}. */
    public static List<SpendRecord> readDirs(List<Path> dirs, Instant from) {
        List<SpendRecord> records = new ArrayList<>();
        scanDirs(dirs, from, records::add);
        return records;
    }

    /** The {@code *.jsonl} of {@code dir} changed at or after {@code from}, by name (ids sort by creation). */
    static List<Path> logs(Path dir, Instant from) {
        List<Path> files = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return files;
        }
        try (DirectoryStream<Path> list = Files.newDirectoryStream(dir, "*.jsonl")) {
            for (Path file : list) {
                if (recent(file, from)) {
                    files.add(file);
                }
            }
        } catch (NoSuchFileException e) {
            // removed while we listed: nothing to count
        } catch (IOException e) {
            throw new FailureException("cannot list " + dir + ": " + e.getMessage(), "check the directory's permissions",
                    e);
        }
        files.sort(null);
        return files;
    }

    /** A file untouched since before {@code from} cannot hold an event written after it. */
    static boolean recent(Path file, Instant from) {
        try {
            return from == null || !Files.getLastModifiedTime(file).toInstant().isBefore(from);
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            throw new FailureException("cannot read " + file + ": " + e.getMessage(), "check the file's permissions",
                    e);
        }
    }

    /**
     * Hands the responses of {@code file} from byte {@code offset} on (the start of a line) to {@code sink}.
     *
     * @return the offset after the last whole line read: where a later scan of the grown file starts
     */
    static long scanFile(Path file, long offset, Instant from, Consumer<SpendRecord> sink) {
        long consumed = offset;
        try (InputStream in = Files.newInputStream(file)) {
            in.skipNBytes(offset);
            byte[] buf = new byte[1 << 16];
            int len = 0;
            int lineStart = 0;
            int scanned = 0;
            while (true) {
                int read = in.read(buf, len, buf.length - len);
                if (read < 0) {
                    return consumed; // what is left has no newline: a torn last line, or one being written
                }
                len += read;
                for (int i = LineEnds.next(buf, scanned, len); i < len;
                     i = LineEnds.next(buf, i + 1, len)) {
                    SpendRecord record = line(buf, lineStart, i - lineStart);
                    if (record != null && (from == null || !record.ts().isBefore(from))) {
                        sink.accept(record);
                    }
                    consumed += i + 1 - lineStart;
                    lineStart = i + 1;
                }
                // keep the unfinished line at the front; grow only for a line longer than the buffer
                System.arraycopy(buf, lineStart, buf, 0, len - lineStart);
                len -= lineStart;
                scanned = len;
                lineStart = 0;
                if (len == buf.length) {
                    buf = Arrays.copyOf(buf, buf.length * 2);
                }
            }
        } catch (NoSuchFileException | java.io.EOFException e) {
            // removed (or cut) while we listed: nothing more to count
            return consumed;
        } catch (IOException e) {
            throw new FailureException("cannot read " + file + ": " + e.getMessage(), "check the file's permissions", e);
        }
    }

    /** The response in one line, or null when the line is something else. */
    static SpendRecord line(byte[] bytes, int offset, int length) {
        if (!contains(bytes, offset, length, COST)) {
            return null;
        }
        try (JsonParser parser = JSON.createParser(bytes, offset, length)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            String ts = null;
            String type = null;
            Data data = null;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                switch (name) {
                    case "ts" -> {
                        ts = value == JsonToken.VALUE_STRING ? parser.getText() : null;
                        parser.skipChildren();
                    }
                    case "type" -> {
                        type = value == JsonToken.VALUE_STRING ? parser.getText() : null;
                        parser.skipChildren();
                    }
                    case "data" -> {
                        if (value == JsonToken.START_OBJECT) {
                            data = data(parser);
                        } else {
                            parser.skipChildren();
                        }
                    }
                    default -> parser.skipChildren();
                }
                if (ts != null && type != null && data != null) {
                    break; // what follows (the hashes, and the content: an answer's text) is not read (ADR-003)
                }
            }
            if (type == null || !SPENDING.contains(type) || ts == null || data == null || data.model == null) {
                return null;
            }
            if (data.failed && data.cost == null && data.input == null && data.output == null) {
                return null; // a batch call that failed before the provider reported usage: nothing billed
            }
            return new SpendRecord(Instant.parse(ts), data.model, data.input, data.output, data.reasoning,
                    data.cacheRead, data.cacheWrite, data.cost);
        } catch (IOException | DateTimeParseException e) {
            return null;
        }
    }

    private static final class Data {
        String model;
        Long input;
        Long output;
        Long reasoning;
        Long cacheRead;
        Long cacheWrite;
        Long cost;
        boolean failed;
    }

    private static Data data(JsonParser parser) throws IOException {
        Data data = new Data();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonToken value = parser.nextToken();
            switch (name) {
                case "model" -> {
                    data.model = value == JsonToken.VALUE_STRING ? parser.getText() : null;
                    parser.skipChildren();
                }
                case "cost_micro_usd" -> {
                    // null (or missing) is an unknown price, never 0
                    data.cost = value == JsonToken.VALUE_NUMBER_INT ? parser.getLongValue() : null;
                    parser.skipChildren();
                }
                case "usage" -> {
                    if (value != JsonToken.START_OBJECT) {
                        parser.skipChildren();
                    } else {
                        while (parser.nextToken() == JsonToken.FIELD_NAME) {
                            String field = parser.currentName();
                            JsonToken count = parser.nextToken();
                            Long number = count == JsonToken.VALUE_NUMBER_INT ? parser.getLongValue() : null;
                            switch (field) {
                                case "input_tokens" -> data.input = number;
                                case "output_tokens" -> data.output = number;
                                case "reasoning_tokens" -> data.reasoning = number;
                                case "cache_read_tokens" -> data.cacheRead = number;
                                case "cache_write_tokens" -> data.cacheWrite = number;
                                default -> { }
                            }
                            parser.skipChildren();
                        }
                    }
                }
                case "error" -> {
                    data.failed = value == JsonToken.START_OBJECT;
                    parser.skipChildren();
                }
                default -> parser.skipChildren(); // the text is skipped, never decoded
            }
        }
        return data;
    }

    private static boolean contains(byte[] bytes, int offset, int length, byte[] needle) {
        int last = offset + length - needle.length;
        outer:
        for (int i = offset; i <= last; i++) {
            if (bytes[i] != needle[0]) {
                continue;
            }
            for (int j = 1; j < needle.length; j++) {
                if (bytes[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
