package dev.llmo.batch;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;

/**
 * Strict UTF-8 text whose error comes at the bad byte, not before it: every character before the bad byte is read
 * first, then the read that reaches it throws {@link CharacterCodingException}. An {@link java.io.InputStreamReader}
 * decodes ahead in blocks and throws as soon as its block holds the bad byte, so a reader counting lines named a line
 * too early. Not thread-safe.
 */
final class Utf8Reader extends Reader {
    private final InputStream in;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    private final ByteBuffer bytes = ByteBuffer.allocate(8192).flip();
    private final CharBuffer chars = CharBuffer.allocate(8192).flip();
    private boolean end;
    /** The decoder was flushed at the end: nothing more will come. */
    private boolean flushed;
    private CharacterCodingException failure;

    Utf8Reader(InputStream in) {
        this.in = in;
    }

    @Override
    public int read() throws IOException {
        return chars.hasRemaining() || fill() ? chars.get() : -1;
    }

    @Override
    public int read(char[] buffer, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        if (!chars.hasRemaining() && !fill()) {
            return -1;
        }
        int n = Math.min(length, chars.remaining());
        chars.get(buffer, offset, n);
        return n;
    }

    /** Decodes more characters; false at the end of the text; throws only once no character before the error is left. */
    private boolean fill() throws IOException {
        if (flushed) {
            return false;
        }
        chars.clear();
        try {
            while (chars.position() == 0 && failure == null) {
                if (!end) {
                    bytes.compact();
                    int read = in.read(bytes.array(), bytes.position(), bytes.remaining());
                    if (read < 0) {
                        end = true;
                    } else {
                        bytes.position(bytes.position() + read);
                    }
                    bytes.flip();
                }
                CoderResult result = decoder.decode(bytes, chars, end);
                if (result.isError()) {
                    failure = new MalformedInputException(result.length());
                } else if (end && !bytes.hasRemaining()) {
                    decoder.flush(chars);
                    flushed = true;
                    break;
                }
            }
        } finally {
            chars.flip();
        }
        if (chars.hasRemaining()) {
            return true;
        }
        if (failure != null) {
            throw failure;
        }
        return false;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
