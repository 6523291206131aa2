package dev.llmo.eventlog;

import dev.llmo.io.LineEnds;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Arrays;

/**
 * Reads a file in large chunks that each end at a line end (except the very last, which ends where the file
 * does), so that lines can be handed to other threads without copying them one by one. The buffers of chunks
 * handed back with {@link #recycle} are filled again: a big file then costs a few buffers, not its size in fresh
 * memory (page faults and a garbage collection).
 *
 * <p>A line longer than a chunk is measured first and read into a buffer of its size; one longer than the bound
 * ({@link #MAX_LINE_BYTES}) is not read at all but handed on as an {@linkplain Chunk#overlong() overlong} chunk, so
 * that a line of junk appended to a log costs a scan of it, not its size in memory.
 */
final class ChunkReader {
    /**
     * The longest line a log may have: 128 MiB. llmo writes none longer ({@link EventLog} refuses such an event):
     * its largest events are an answer, at most 16 MiB of text (96 MiB as JSON if every character were a control
     * character, escaped in six bytes), and a prompt, at most 64 MiB from stdin.
     */
    static final int MAX_LINE_BYTES = 128 << 20;

    private static final byte[] NONE = new byte[0];

    private final FileChannel channel;
    private final int chunkSize;
    private final int maxLine;
    private final java.util.Queue<byte[]> free = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private byte[] carry = NONE;
    // the file offset of the first byte not yet read (carry is before it)
    private long position;
    private long offset;
    private boolean eof;

    /**
     * A run of whole lines: {@code bytes[0, length)} starting at byte {@code offset} of the file; or, when
     * {@link #overlong()}, one line of {@code skipped} bytes that was not read.
     *
     * @param last whether this is the end of the file (only the last chunk may end without a newline)
     * @param skipped the length of the overlong line this chunk stands for (its newline not counted), else 0
     */
    record Chunk(byte[] bytes, int length, long offset, boolean last, long skipped) {
        Chunk(byte[] bytes, int length, long offset, boolean last) {
            this(bytes, length, offset, last, 0);
        }

        /** The end (exclusive, without the newline) of the line that starts at {@code from}. */
        int lineEnd(int from) {
            return LineEnds.next(bytes, from, length);
        }

        /** Whether this chunk is one line longer than the bound, left unread. */
        boolean overlong() {
            return skipped > 0;
        }

        /** The file offset after this chunk. */
        long end() {
            return offset + (overlong() ? skipped + (last ? 0 : 1) : length);
        }
    }

    /** Reads {@code channel} from its start, with lines of at most {@link #MAX_LINE_BYTES}. */
    ChunkReader(FileChannel channel, int chunkSize) {
        this(channel, chunkSize, MAX_LINE_BYTES);
    }

    /** Reads {@code channel} from its start; a line longer than {@code maxLine} bytes is an overlong chunk. */
    ChunkReader(FileChannel channel, int chunkSize, int maxLine) {
        this.channel = channel;
        this.chunkSize = chunkSize;
        this.maxLine = maxLine;
    }

    /** The next chunk, or null at the end of the file. */
    Chunk next() throws IOException {
        if (eof) {
            return null;
        }
        byte[] buffer = carry.length * 2 <= chunkSize ? free.poll() : null;
        if (buffer == null) {
            buffer = new byte[Math.max(chunkSize, carry.length * 2)];
        }
        System.arraycopy(carry, 0, buffer, 0, carry.length);
        int filled = carry.length;
        while (true) {
            filled = fill(buffer, filled);
            if (eof) {
                carry = NONE;
                if (filled == 0) {
                    return null;
                }
                return emit(buffer, filled, true);
            }
            int lastNewline = LineEnds.last(buffer, 0, filled);
            if (lastNewline >= 0) {
                carry = Arrays.copyOfRange(buffer, lastNewline + 1, filled);
                return emit(buffer, lastNewline + 1, false);
            }
            // a line longer than a chunk: its length decides between a buffer of that size and skipping it
            long length = measure(filled);
            if (length > maxLine) {
                return skip(length);
            }
            buffer = Arrays.copyOf(buffer, (int) length + 1);
        }
    }

    private int fill(byte[] buffer, int filled) throws IOException {
        ByteBuffer into = ByteBuffer.wrap(buffer, filled, buffer.length - filled);
        while (into.hasRemaining()) {
            int n = channel.read(into, position);
            if (n < 0) {
                eof = true;
                break;
            }
            position += n;
        }
        return into.position();
    }

    /**
     * The length of the line that starts at {@code offset} and has {@code known} bytes before {@code position}: found
     * by scanning on from there, at most a little past the bound (so a 300 MB line is scanned up to 128 MiB only).
     */
    private long measure(int known) throws IOException {
        ByteBuffer scan = ByteBuffer.allocate(64 * 1024);
        long at = position;
        long length = known;
        while (length <= maxLine) {
            scan.clear();
            int n = channel.read(scan, at);
            if (n < 0) {
                return length; // torn: the line ends where the file does
            }
            int newline = LineEnds.next(scan.array(), 0, n);
            if (newline < n) {
                return length + newline;
            }
            at += n;
            length += n;
        }
        return length;
    }

    /** An overlong line: scanned to its newline (or the end of the file) and handed on as a chunk without bytes. */
    private Chunk skip(long known) throws IOException {
        ByteBuffer scan = ByteBuffer.allocate(64 * 1024);
        long at = offset + known;
        while (true) {
            scan.clear();
            int n = channel.read(scan, at);
            if (n < 0) {
                eof = true;
                carry = NONE;
                Chunk chunk = new Chunk(NONE, 0, offset, true, at - offset);
                offset = at;
                return chunk;
            }
            int i = LineEnds.next(scan.array(), 0, n);
            if (i < n) {
                Chunk chunk = new Chunk(NONE, 0, offset, false, at + i - offset);
                offset = at + i + 1;
                position = offset;
                carry = NONE;
                return chunk;
            }
            at += n;
        }
    }

    /** Hands back a chunk whose lines have all been read: its buffer holds a later chunk. Any thread may call it. */
    void recycle(Chunk chunk) {
        if (chunk.bytes().length == chunkSize) {
            free.add(chunk.bytes());
        }
    }

    private Chunk emit(byte[] buffer, int length, boolean last) {
        Chunk chunk = new Chunk(buffer, length, offset, last);
        offset += length;
        return chunk;
    }
}
