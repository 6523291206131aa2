package dev.llmo.input;

import dev.llmo.failure.UsageException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Input that must be text (fragments, piped stdin): strict UTF-8, so that bytes of another encoding are refused
 * with one clear line instead of being sent as replacement characters (U+FFFD) the user never sees.
 */
public final class InputText {
    private InputText() {
    }

    /**
     * {@code bytes} as UTF-8 text, a leading byte order mark dropped.
     *
     * @param what how the error names the input, e.g. {@code -f notes.md} or {@code stdin}
     * @throws UsageException (exit 2) naming the first byte that is not UTF-8, or a NUL byte
     */
    public static String utf8(byte[] bytes, String what) {
        return utf8(bytes, what, what.startsWith("-") ? "attach it with -a if it is not text" : null);
    }

    /**
     * {@link #utf8(byte[], String)}, the error's fix naming {@code otherwise} (null for none) after the conversion.
     */
    public static String utf8(byte[] bytes, String what, String otherwise) {
        String hint = otherwise == null ? "" : ", or " + otherwise;
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate((int) Math.min(Integer.MAX_VALUE - 8L, bytes.length + 1L));
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            throw new UsageException(what + " is not UTF-8 text (byte " + in.position() + " is not valid UTF-8)",
                    "convert it first, e.g. iconv -f latin1 -t utf-8" + hint);
        }
        out.flip();
        String text = out.toString();
        // valid UTF-8, but no text holds a NUL (MediaTypeDetector's rule too): a binary file of ASCII-range bytes
        int nul = text.indexOf('\0');
        if (nul >= 0) {
            throw new UsageException(what + " is not text (it holds a NUL byte, at character " + nul + ")",
                    "give a text file" + hint);
        }
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }
}
