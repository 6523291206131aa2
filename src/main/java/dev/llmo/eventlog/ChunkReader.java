package dev.llmo.eventlog;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads a file in large chunks that each end at a line end (except the very last, which ends where the file
 * does), so that lines can be handed to other threads without copying them one by one. The buffers of chunks
 * handed back with {@link #recycle} are filled again: a big file then costs a few buffers, not its size in fresh
 * memory (page faults and a garbage collection).
 */
final class ChunkReader {
    private final InputStream in;
    private final int chunkSize;
    private final java.util.Queue<byte[]> free = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private byte[] carry = new byte[0];
    private long offset;
    private boolean eof;

    /**
     * A run of whole lines: {@code bytes[0, length)} starting at byte {@code offset} of the file.
     *
     * @param last whether this is the end of the file (only the last chunk may end without a newline)
     */
    record Chunk(byte[] bytes, int length, long offset, boolean last) {
        /** The end (exclusive, without the newline) of the line that starts at {@code from}. */
        int lineEnd(int from) {
            int i = from;
            while (i < length && bytes[i] != '\n') {
                i++;
            }
            return i;
        }
    }

    ChunkReader(InputStream in, int chunkSize) {
        this.in = in;
        this.chunkSize = chunkSize;
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
            while (filled < buffer.length) {
                int n = in.read(buffer, filled, buffer.length - filled);
                if (n < 0) {
                    eof = true;
                    break;
                }
                filled += n;
            }
            if (eof) {
                carry = new byte[0];
                if (filled == 0) {
                    return null;
                }
                return emit(buffer, filled, true);
            }
            int lastNewline = filled - 1;
            while (lastNewline >= 0 && buffer[lastNewline] != '\n') {
                lastNewline--;
            }
            if (lastNewline >= 0) {
                carry = Arrays.copyOfRange(buffer, lastNewline + 1, filled);
                return emit(buffer, lastNewline + 1, false);
            }
            buffer = Arrays.copyOf(buffer, buffer.length * 2); // a line longer than a chunk
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
