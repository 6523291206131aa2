package dev.llmo.input;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Says what bytes are from their content (magic bytes), never from a file name or a server's word: a {@code .png}
 * that is really a PDF is sent as a PDF, and a file without an extension still works.
 *
 * <p>Known: PNG, JPEG, GIF, WebP, HEIC/HEIF, PDF, WAV, MP3, FLAC, Ogg, AAC (ADTS), AIFF, M4A; text that is valid
 * UTF-8 without NUL bytes is {@code text/plain} (sent as text, like a fragment).
 */
public final class MediaTypeDetector {
    /** Text is told from binary by its first this many bytes (a whole small file, the head of a large one). */
    private static final int TEXT_PROBE = 64 * 1024;

    private MediaTypeDetector() {
    }

    /** The media type of {@code bytes}, or empty when they are none llmo knows. */
    public static Optional<String> detect(byte[] bytes) {
        String binary = binary(bytes);
        if (binary != null) {
            return Optional.of(binary);
        }
        return isText(bytes) ? Optional.of("text/plain") : Optional.empty();
    }

    private static String binary(byte[] b) {
        if (starts(b, 0, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) {
            return "image/png";
        }
        if (starts(b, 0, 0xFF, 0xD8, 0xFF)) {
            return "image/jpeg";
        }
        if (starts(b, 0, 'G', 'I', 'F', '8', '7', 'a') || starts(b, 0, 'G', 'I', 'F', '8', '9', 'a')) {
            return "image/gif";
        }
        if (starts(b, 0, 'R', 'I', 'F', 'F') && starts(b, 8, 'W', 'E', 'B', 'P')) {
            return "image/webp";
        }
        if (starts(b, 0, 'R', 'I', 'F', 'F') && starts(b, 8, 'W', 'A', 'V', 'E')) {
            return "audio/wav";
        }
        if (starts(b, 0, 'F', 'O', 'R', 'M') && (starts(b, 8, 'A', 'I', 'F', 'F') || starts(b, 8, 'A', 'I', 'F', 'C'))) {
            return "audio/aiff";
        }
        if (pdf(b)) {
            return "application/pdf";
        }
        if (starts(b, 0, 'f', 'L', 'a', 'C')) {
            return "audio/flac";
        }
        if (starts(b, 0, 'O', 'g', 'g', 'S')) {
            return "audio/ogg";
        }
        if (starts(b, 0, 'I', 'D', '3') || mpegAudioFrame(b)) {
            return "audio/mpeg";
        }
        if (b.length >= 2 && (b[0] & 0xFF) == 0xFF && (b[1] & 0xF6) == 0xF0) {
            return "audio/aac"; // ADTS: sync word, layer 00
        }
        if (starts(b, 4, 'f', 't', 'y', 'p')) {
            String brand = b.length >= 12 ? new String(b, 8, 4, StandardCharsets.ISO_8859_1) : "";
            switch (brand) {
                case "heic", "heix", "heim", "heis" -> {
                    return "image/heic";
                }
                case "mif1", "msf1" -> {
                    return "image/heif";
                }
                case "M4A ", "M4B " -> {
                    return "audio/mp4";
                }
                default -> {
                    return null;
                }
            }
        }
        return null;
    }

    // A PDF may have a few bytes of junk before its header; readers look in the first kilobyte.
    private static boolean pdf(byte[] b) {
        int end = Math.min(b.length - 5, 1024);
        for (int i = 0; i <= end; i++) {
            if (starts(b, i, '%', 'P', 'D', 'F', '-')) {
                return true;
            }
        }
        return false;
    }

    // MPEG-1/2 audio without an ID3 tag: an 11-bit sync, layer III, a valid bitrate and sample rate
    private static boolean mpegAudioFrame(byte[] b) {
        if (b.length < 4 || (b[0] & 0xFF) != 0xFF || (b[1] & 0xE0) != 0xE0) {
            return false;
        }
        int version = (b[1] >> 3) & 0x3;
        int layer = (b[1] >> 1) & 0x3;
        int bitrate = (b[2] >> 4) & 0xF;
        int rate = (b[2] >> 2) & 0x3;
        return version != 1 && layer == 1 && bitrate != 0 && bitrate != 0xF && rate != 3;
    }

    /** Whether the head of {@code bytes} is UTF-8 text: it decodes strictly and holds no NUL byte. */
    public static boolean isText(byte[] bytes) {
        int length = Math.min(bytes.length, TEXT_PROBE);
        for (int i = 0; i < length; i++) {
            if (bytes[i] == 0) {
                return false;
            }
        }
        if (length < bytes.length) {
            // a cut in the middle of a character is not an error of the text: step back to a character's start
            while (length > 0 && (bytes[length] & 0xC0) == 0x80) {
                length--;
            }
        }
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, 0, length));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private static boolean starts(byte[] b, int at, int... magic) {
        if (b.length < at + magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if ((b[at + i] & 0xFF) != magic[i]) {
                return false;
            }
        }
        return true;
    }
}
