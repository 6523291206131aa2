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
     * @throws UsageException (exit 2) naming the first byte that is not UTF-8
     */
    public static String utf8(byte[] bytes, String what) {
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
                    "convert it first, e.g. iconv -f latin1 -t utf-8" + (what.startsWith("-") ? ", or attach it "
                            + "with -a if it is not text" : ""));
        }
        out.flip();
        String text = out.toString();
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }
}
