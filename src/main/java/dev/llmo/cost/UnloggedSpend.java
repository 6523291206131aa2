package dev.llmo.cost;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmo.failure.FailureException;
import dev.llmo.io.Uninterruptible;
import dev.llmo.json.JsonTrees;
import dev.llmo.message.Usage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What runs without a conversation ({@code --no-log}) spent: one line per answer in {@value #FILE_NAME} of the data
 * directory, in the shape of a {@code response} event ({@code ts}, {@code type}, {@code data} with the model, usage and
 * {@code cost_micro_usd}), so that {@link SpendLog} reads it beside the conversations: the daily budget and
 * {@code llmo cost} count it. It holds no prompt and no answer.
 *
 * <p>Appends take a file lock (several processes may finish at once). The file is bounded: past
 * {@link #MAX_BYTES} it is rewritten with the records of each model and hour summed into one (totals per day and per
 * model are kept), and then, if still too large, without its oldest hours before yesterday.
 */
public final class UnloggedSpend {
    public static final String FILE_NAME = "unlogged-spend.jsonl";
    /** The size past which the file is compacted. */
    public static final long MAX_BYTES = 1L << 20;
    // FileChannel.lock is per process: threads of one process take this first
    private static final ReentrantLock IN_PROCESS = new ReentrantLock();
    private final Path file;
    private final Clock clock;

    public UnloggedSpend(Path file, Clock clock) {
        this.file = file;
        this.clock = clock;
    }

    /** The file beside {@code conversationsDir} (both in the data directory). */
    public static Path file(Path conversationsDir) {
        return conversationsDir.toAbsolutePath().resolveSibling(FILE_NAME);
    }

    /** Where the records go. */
    public Path file() {
        return file;
    }

    /**
     * Records one answer's spend, now.
     *
     * @param usage        what the provider reported, or null
     * @param costMicroUsd the cost, or null when the price is unknown
     * @throws FailureException when the file cannot be written
     */
    public void add(String model, Usage usage, Long costMicroUsd) {
        SpendRecord record = new SpendRecord(clock.instant(), model,
                usage == null ? null : usage.inputTokens(), usage == null ? null : usage.outputTokens(),
                usage == null ? null : usage.reasoningTokens(), usage == null ? null : usage.cacheReadTokens(),
                usage == null ? null : usage.cacheWriteTokens(), costMicroUsd);
        Path dir = file.toAbsolutePath().getParent();
        IN_PROCESS.lock();
        try {
            Uninterruptible.call(() -> {
                Files.createDirectories(dir);
                try (FileChannel lockFile = FileChannel.open(dir.resolve(FILE_NAME + ".lock"),
                        java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE), ownerOnly(dir));
                     FileLock held = lockFile.lock()) {
                    if (Files.exists(file) && Files.size(file) > MAX_BYTES) {
                        compact(dir);
                    }
                    try (FileChannel out = FileChannel.open(file, java.util.Set.of(StandardOpenOption.CREATE,
                            StandardOpenOption.WRITE, StandardOpenOption.APPEND), ownerOnly(dir))) {
                        ByteBuffer buffer = ByteBuffer.wrap(line(record));
                        while (buffer.hasRemaining()) {
                            out.write(buffer);
                        }
                        out.force(false);
                    }
                }
                return null;
            });
        } catch (IOException e) {
            throw new FailureException("cannot record the spend of a --no-log run in " + file + ": " + e.getMessage(),
                    "check free disk space and the directory's permissions", e);
        } finally {
            IN_PROCESS.unlock();
        }
    }

    /** Rewrites the file with one record per model, hour and known-or-unknown price; then drops the oldest hours. */
    private void compact(Path dir) throws IOException {
        Map<List<Object>, SpendRecord> merged = new LinkedHashMap<>();
        SpendLog.scan(List.of(file), null, record -> {
            Instant hour = record.ts().truncatedTo(ChronoUnit.HOURS);
            merged.merge(List.of(record.model(), hour, record.costMicroUsd() != null), at(record, hour),
                    UnloggedSpend::sum);
        });
        List<SpendRecord> ordered = merged.values().stream().sorted(java.util.Comparator.comparing(SpendRecord::ts))
                .toList();
        List<byte[]> lines = new ArrayList<>();
        ordered.forEach(record -> lines.add(line(record)));
        // the daily budget reads today (in any time zone): what is dropped is older than the start of yesterday, UTC
        Instant keep = clock.instant().truncatedTo(ChronoUnit.DAYS).minus(1, ChronoUnit.DAYS);
        long size = lines.stream().mapToLong(line -> line.length).sum();
        int from = 0;
        while (size > MAX_BYTES / 2 && from < ordered.size() && ordered.get(from).ts().isBefore(keep)) {
            size -= lines.get(from++).length;
        }
        Path temp = dir.resolve("." + FILE_NAME + "." + UUID.randomUUID() + ".tmp");
        try {
            try (FileChannel out = FileChannel.open(temp, java.util.Set.of(StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE), ownerOnly(dir))) {
                for (byte[] line : lines.subList(from, lines.size())) {
                    ByteBuffer buffer = ByteBuffer.wrap(line);
                    while (buffer.hasRemaining()) {
                        out.write(buffer);
                    }
                }
                out.force(true);
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static SpendRecord at(SpendRecord record, Instant ts) {
        return new SpendRecord(ts, record.model(), record.inputTokens(), record.outputTokens(),
                record.reasoningTokens(), record.cacheReadTokens(), record.cacheWriteTokens(), record.costMicroUsd());
    }

    private static SpendRecord sum(SpendRecord a, SpendRecord b) {
        return new SpendRecord(a.ts(), a.model(), add(a.inputTokens(), b.inputTokens()),
                add(a.outputTokens(), b.outputTokens()), add(a.reasoningTokens(), b.reasoningTokens()),
                add(a.cacheReadTokens(), b.cacheReadTokens()), add(a.cacheWriteTokens(), b.cacheWriteTokens()),
                add(a.costMicroUsd(), b.costMicroUsd()));
    }

    private static Long add(Long a, Long b) {
        return a == null ? b : b == null ? a : Long.valueOf(a + b);
    }

    /** One record as a {@code response}-shaped line that {@link SpendLog#line} reads. */
    static byte[] line(SpendRecord record) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("ts", record.ts().toString());
        root.put("type", "response");
        ObjectNode data = root.putObject("data");
        data.put("model", record.model());
        if (record.inputTokens() != null || record.outputTokens() != null) {
            ObjectNode usage = data.putObject("usage");
            put(usage, "input_tokens", record.inputTokens());
            put(usage, "output_tokens", record.outputTokens());
            put(usage, "reasoning_tokens", record.reasoningTokens());
            put(usage, "cache_read_tokens", record.cacheReadTokens());
            put(usage, "cache_write_tokens", record.cacheWriteTokens());
        }
        if (record.costMicroUsd() != null) {
            data.put("cost_micro_usd", record.costMicroUsd().longValue());
        } else {
            data.putNull("cost_micro_usd");
        }
        byte[] json = JsonTrees.writeBytes(JsonTrees.PLAIN_FACTORY, root);
        byte[] line = Arrays.copyOf(json, json.length + 1);
        line[json.length] = '\n';
        return line;
    }

    private static void put(ObjectNode node, String name, Long value) {
        if (value != null) {
            node.put(name, value.longValue());
        }
    }

    private static FileAttribute<?>[] ownerOnly(Path dir) {
        try {
            if (Objects.requireNonNull(dir.getFileSystem()).supportedFileAttributeViews().contains("posix")) {
                return new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rw-------"))};
            }
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system
        }
        return new FileAttribute<?>[0];
    }
}
