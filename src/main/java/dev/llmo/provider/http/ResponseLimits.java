package dev.llmo.provider.http;

/**
 * How much of a server's answer llmo reads and keeps, so that a broken or hostile server cannot make it use unbounded
 * memory. Every limit counts bytes after decompression (OkHttp inflates gzip transparently; the limits apply to what
 * it hands over), so a compression bomb stops at the limit too.
 *
 * @param maxSseLineBytes    one line of a server-sent event stream, and the data of one event
 * @param maxBodyBytes       one whole (non-streamed) answer body
 * @param maxModelListBytes  a model listing, all its pages together
 * @param maxAnswerBytes     the answer of one call (its text, reasoning and tool calls, UTF-8): beyond it the call
 *                           ends as an error, the text so far kept. 16 MiB by default, so that it fits in the heap
 *                           a JVM picks by itself on a small machine: while it arrives and is logged an answer is
 *                           held a few times over (up to about 7 bytes of heap per byte of text when ASCII and other
 *                           scripts mix); 16 MiB passes in 128 MiB (HostileServerIT, docs/usage/providers.md)
 */
public record ResponseLimits(long maxSseLineBytes, long maxBodyBytes, long maxModelListBytes, long maxAnswerBytes) {
    private static final long MIB = 1024 * 1024;
    public static final ResponseLimits DEFAULT = new ResponseLimits(8 * MIB, 32 * MIB, 16 * MIB, 16 * MIB);

    public ResponseLimits {
        if (maxSseLineBytes <= 0 || maxBodyBytes <= 0 || maxModelListBytes <= 0 || maxAnswerBytes <= 0) {
            throw new IllegalArgumentException("response limits must be positive");
        }
    }

    /** A size for messages: {@code 8 MiB}, {@code 512 KiB}, {@code 100 bytes}. */
    static String describe(long bytes) {
        if (bytes >= MIB && bytes % MIB == 0) {
            return bytes / MIB + " MiB";
        }
        if (bytes >= 1024 && bytes % 1024 == 0) {
            return bytes / 1024 + " KiB";
        }
        return bytes + " bytes";
    }
}
