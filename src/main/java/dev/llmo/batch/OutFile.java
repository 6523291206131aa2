package dev.llmo.batch;

import dev.llmo.failure.UsageException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;

/**
 * {@code --out FILE} of {@code batch run} and {@code batch resume}: the result lines appended to FILE as they become due,
 * as stdout gets them. Each flush writes whole lines only, in one {@code write} (a line's end is never split from its
 * start), so that after Ctrl-C, a {@code kill -9} or a crash of llmo FILE holds whole lines in dataset order; a write
 * that fails (a full disk) is cut back to the last whole line. FILE is emptied when it is opened, which the commands do
 * once the batch is about to send: a batch refused before (a bad row, the budget) leaves it as it was.
 */
public final class OutFile implements AutoCloseable {
    private final Path target;
    private final FileChannel channel;
    private final Lines lines;
    private final PrintWriter writer;

    private OutFile(Path target, FileChannel channel) {
        this.target = target;
        this.channel = channel;
        this.lines = new Lines();
        this.writer = new PrintWriter(new OutputStreamWriter(lines, StandardCharsets.UTF_8), false);
    }

    /**
     * Refuses, before anything is sent or written, an {@code --out} that cannot hold the results or whose writing would
     * destroy a file the batch needs (exit 2): a directory, a path in no directory, an unwritable file, the dataset or
     * the batch's record.
     *
     * @param dataset the batch's dataset, or null (read from stdin)
     * @param record  the batch's record, or null (not made yet)
     */
    public static void check(Path target, Path dataset, Path record) {
        Path absolute = target.toAbsolutePath().normalize();
        if (Files.isDirectory(absolute)) {
            throw new UsageException("--out " + target + " is a directory", "give a file, e.g. --out "
                    + target.resolve("results.jsonl"));
        }
        Path dir = absolute.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new UsageException("--out " + target + ": there is no directory " + dir,
                    "create it first, or give a file in a directory that exists");
        }
        for (Path kept : new Path[] {dataset, record}) {
            if (kept != null && sameFile(absolute, kept)) {
                throw new UsageException("--out " + target + " is the batch's " + (kept == record ? "record" : "dataset")
                        + ": the results would overwrite it", "give another file, e.g. --out results.jsonl");
            }
        }
        if (Files.exists(absolute) ? !Files.isWritable(absolute) : !Files.isWritable(dir)) {
            throw new UsageException("--out " + target + " is not writable",
                    "give a file you may write, or change its permissions");
        }
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.exists(b) && Files.exists(a) ? Files.isSameFile(a, b)
                    : a.equals(b.toAbsolutePath().normalize());
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Creates or empties FILE (after {@link #check}).
     *
     * @throws UsageException (exit 2) when it cannot be opened for writing: nothing was sent yet
     */
    public static OutFile open(Path target) {
        try {
            return new OutFile(target, FileChannel.open(target, Set.of(StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)));
        } catch (IOException e) {
            throw new UsageException("cannot write --out " + target + ": " + e.getMessage(),
                    "give a file you may write");
        }
    }

    /** Where the result lines go; flushed after each group of lines. */
    public PrintWriter writer() {
        return writer;
    }

    /** The file's path as given. */
    public Path path() {
        return target;
    }

    /** Why writing failed, or null: what was written so far is flushed first. */
    public IOException failure() {
        writer.flush();
        return lines.failure;
    }

    /** Writes what is left, syncs FILE to disk and closes it. */
    @Override
    public void close() {
        writer.flush();
        try {
            if (lines.failure == null && lines.regular) {
                channel.force(false); // a pipe or a terminal has nothing to sync
            }
        } catch (IOException e) {
            lines.failure = e;
        } finally {
            try {
                channel.close();
            } catch (IOException e) {
                // every line that was written is in the file
            }
        }
    }

    /** The bytes below the writer: held until a flush, then written up to the last line end, in one write. */
    private final class Lines extends OutputStream {
        private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
        private final boolean regular = Files.isRegularFile(target);
        private long whole;
        private IOException failure;

        @Override
        public void write(int b) {
            pending.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            pending.write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            if (failure != null) {
                throw failure;
            }
            byte[] bytes = pending.toByteArray();
            int end = bytes.length;
            while (end > 0 && bytes[end - 1] != '\n') {
                end--;
            }
            if (end == 0) {
                return;
            }
            ByteBuffer buffer = ByteBuffer.wrap(bytes, 0, end);
            try {
                // not at a position: FILE may be a pipe or a device (--out /dev/stderr)
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                whole += end;
            } catch (IOException e) {
                failure = e;
                try {
                    if (regular) {
                        channel.truncate(whole); // no half line stays behind
                    }
                } catch (IOException again) {
                    // the file is as the failed write left it; the record still has every result
                }
                throw e;
            }
            pending.reset();
            pending.write(bytes, end, bytes.length - end);
        }
    }
}
