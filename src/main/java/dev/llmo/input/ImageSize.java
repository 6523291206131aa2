package dev.llmo.input;

import java.util.Optional;

/**
 * The width and height of an image in pixels, read from its header (PNG IHDR, JPEG SOF, GIF screen descriptor, WebP
 * VP8/VP8L/VP8X), without decoding it: what the providers' image-token formulas need.
 */
public record ImageSize(int width, int height) {

    /** The size of the PNG, JPEG, GIF or WebP image in {@code b}, or empty when its header cannot be read. */
    public static Optional<ImageSize> of(byte[] b) {
        ImageSize size = null;
        try {
            if (b.length >= 24 && u8(b, 0) == 0x89 && b[1] == 'P' && b[12] == 'I' && b[13] == 'H') {
                size = new ImageSize(be32(b, 16), be32(b, 20));
            } else if (b.length >= 10 && b[0] == 'G' && b[1] == 'I' && b[2] == 'F') {
                size = new ImageSize(le16(b, 6), le16(b, 8));
            } else if (b.length >= 4 && u8(b, 0) == 0xFF && u8(b, 1) == 0xD8) {
                size = jpeg(b);
            } else if (b.length >= 30 && b[0] == 'R' && b[8] == 'W' && b[9] == 'E' && b[10] == 'B') {
                size = webp(b);
            }
        } catch (ArrayIndexOutOfBoundsException truncated) {
            size = null; // a header cut short: the size is unknown, not an error
        }
        return size != null && size.width > 0 && size.height > 0 ? Optional.of(size) : Optional.empty();
    }

    private static ImageSize jpeg(byte[] b) {
        int i = 2;
        while (i + 9 < b.length) {
            if (u8(b, i) != 0xFF) {
                return null;
            }
            int marker = u8(b, i + 1);
            if (marker == 0xFF) {
                i++; // fill byte
                continue;
            }
            if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
                i += 2; // markers without a length
                continue;
            }
            int length = be16(b, i + 2);
            boolean frame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
            if (frame) {
                return new ImageSize(be16(b, i + 7), be16(b, i + 5));
            }
            if (length < 2) {
                return null;
            }
            i += 2 + length;
        }
        return null;
    }

    private static ImageSize webp(byte[] b) {
        String chunk = new String(b, 12, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
        return switch (chunk) {
            case "VP8 " -> new ImageSize(le16(b, 26) & 0x3FFF, le16(b, 28) & 0x3FFF);
            case "VP8L" -> {
                int bits = u8(b, 21) | u8(b, 22) << 8 | u8(b, 23) << 16 | u8(b, 24) << 24;
                yield new ImageSize((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1);
            }
            case "VP8X" -> new ImageSize(le24(b, 24) + 1, le24(b, 27) + 1);
            default -> null;
        };
    }

    private static int u8(byte[] b, int i) {
        return b[i] & 0xFF;
    }

    private static int be16(byte[] b, int i) {
        return u8(b, i) << 8 | u8(b, i + 1);
    }

    private static int be32(byte[] b, int i) {
        long value = (long) u8(b, i) << 24 | u8(b, i + 1) << 16 | u8(b, i + 2) << 8 | u8(b, i + 3);
        return value > Integer.MAX_VALUE ? -1 : (int) value;
    }

    private static int le16(byte[] b, int i) {
        return u8(b, i) | u8(b, i + 1) << 8;
    }

    private static int le24(byte[] b, int i) {
        return u8(b, i) | u8(b, i + 1) << 8 | u8(b, i + 2) << 16;
    }
}
