package dev.llmo.input;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** Types told from magic bytes, never from a name; image sizes read from headers. */
class MediaTypeDetectorTest {
    private static byte[] bytes(int... values) {
        byte[] b = new byte[Math.max(values.length, 32)];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    private static byte[] ascii(String head, int padTo) {
        byte[] b = new byte[padTo];
        byte[] h = head.getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(h, 0, b, 0, h.length);
        return b;
    }

    private static String type(byte[] b) {
        return MediaTypeDetector.detect(b).orElse(null);
    }

    @Test
    void imagesByTheirSignatures() {
        assertThat(type(bytes(0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A))).isEqualTo("image/png");
        assertThat(type(bytes(0xFF, 0xD8, 0xFF, 0xE0))).isEqualTo("image/jpeg");
        assertThat(type(ascii("GIF89a", 16))).isEqualTo("image/gif");
        assertThat(type(ascii("GIF87a", 16))).isEqualTo("image/gif");
        assertThat(type(ascii("RIFF\0\0\0\0WEBPVP8 ", 32))).isEqualTo("image/webp");
        assertThat(type(ascii("\0\0\0\u0018ftypheic", 32))).isEqualTo("image/heic");
    }

    @Test
    void pdfAndAudio() {
        assertThat(type(ascii("%PDF-1.4\n", 32))).isEqualTo("application/pdf");
        assertThat(type(ascii("junk%PDF-1.4\n", 32))).as("a few bytes before the header").isEqualTo("application/pdf");
        assertThat(type(ascii("RIFF\0\0\0\0WAVEfmt ", 32))).isEqualTo("audio/wav");
        assertThat(type(ascii("ID3\u0004", 32))).isEqualTo("audio/mpeg");
        assertThat(type(bytes(0xFF, 0xFB, 0x90, 0x64))).as("an MP3 frame without a tag").isEqualTo("audio/mpeg");
        assertThat(type(ascii("fLaC", 32))).isEqualTo("audio/flac");
        assertThat(type(ascii("OggS", 32))).isEqualTo("audio/ogg");
        assertThat(type(bytes(0xFF, 0xF1, 0x50, 0x80))).as("AAC in ADTS").isEqualTo("audio/aac");
        assertThat(type(ascii("FORM\0\0\0\0AIFF", 32))).isEqualTo("audio/aiff");
        assertThat(type(ascii("\0\0\0\u0020ftypM4A ", 32))).isEqualTo("audio/mp4");
    }

    @Test
    void utf8TextIsTextAndBinaryIsNothing() {
        assertThat(type("# Notes ✓\n\tfine\r\n".getBytes(StandardCharsets.UTF_8))).isEqualTo("text/plain");
        assertThat(type(new byte[] {'a', 0, 'b'})).as("a NUL byte").isNull();
        assertThat(type(new byte[] {'a', (byte) 0xC3, 'b'})).as("not UTF-8").isNull();
        byte[] big = new byte[70_000];
        java.util.Arrays.fill(big, (byte) 'x');
        byte[] accent = "é".getBytes(StandardCharsets.UTF_8);
        System.arraycopy(accent, 0, big, 64 * 1024 - 1, 2); // cut in the middle by the probe
        assertThat(type(big)).isEqualTo("text/plain");
    }

    @Test
    void theNameNeverMatters() {
        // there is no name to pass: detection sees bytes only
        assertThat(type(ascii("%PDF-1.7", 16))).isEqualTo("application/pdf");
    }

    @Test
    void imageSizesFromTheirHeaders() {
        byte[] png = Base64.getDecoder().decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADh"
                + "gGAWjR9awAAAABJRU5ErkJggg==");
        assertThat(ImageSize.of(png)).contains(new ImageSize(1, 1));
        byte[] pngWide = png.clone();
        pngWide[18] = 0x07; // width 0x0780 = 1920
        pngWide[19] = (byte) 0x80;
        pngWide[22] = 0x04; // height 0x0438 = 1080
        pngWide[23] = 0x38;
        assertThat(ImageSize.of(pngWide)).contains(new ImageSize(1920, 1080));
        byte[] gif = ascii("GIF89a", 16);
        gif[6] = (byte) 0x20; // 800 = 0x0320
        gif[7] = 0x03;
        gif[8] = (byte) 0x58; // 600 = 0x0258
        gif[9] = 0x02;
        assertThat(ImageSize.of(gif)).contains(new ImageSize(800, 600));
        // JPEG: SOI, an APP0 of 16 bytes, then SOF0 with height 480, width 640
        byte[] jpeg = bytes(0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0,
                0xFF, 0xC0, 0x00, 0x11, 0x08, 0x01, 0xE0, 0x02, 0x80, 0x03, 0x01, 0x22, 0x00);
        assertThat(ImageSize.of(jpeg)).contains(new ImageSize(640, 480));
        byte[] webp = ascii("RIFF\0\0\0\0WEBPVP8X", 32);
        webp[24] = (byte) 0xFF; // width - 1 = 1023
        webp[25] = 0x03;
        webp[27] = (byte) 0xFF; // height - 1 = 767
        webp[28] = 0x02;
        assertThat(ImageSize.of(webp)).contains(new ImageSize(1024, 768));
        assertThat(ImageSize.of(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF})).isEmpty();
        assertThat(ImageSize.of("%PDF".getBytes(StandardCharsets.US_ASCII))).isEmpty();
    }
}
