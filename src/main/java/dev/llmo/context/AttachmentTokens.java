package dev.llmo.context;

import dev.llmo.config.ProviderType;
import dev.llmo.input.ImageSize;
import dev.llmo.message.ContentSource;
import dev.llmo.message.Part;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The input tokens of a non-text attachment for one wire format, by the providers' published rules where there is
 * one, else a documented estimate (docs/usage/attachments.md "Tokens and cost"):
 * <ul>
 *   <li>Images. OpenAI: the image is scaled to fit 2048×2048, then its short side to 768; 85 tokens plus 170 per
 *   512-pixel tile. Anthropic: {@code width × height / 750} after scaling the long edge to at most 1568. Gemini: 258
 *   for an image of at most 384×384, else 258 per 768×768 tile. Sizes come from the image's header; an image whose
 *   size cannot be read counts as a 1024×1024 one.</li>
 *   <li>PDF. Gemini: 258 per page (published). OpenAI and Anthropic put each page's text and an image of it in
 *   the context and publish no figure; estimated 2,000 per page (Anthropic's "1,500 to 3,000 per page", middle).
 *   Pages are counted from the PDF's page objects; 1 when none are found.</li>
 *   <li>Audio. Gemini: 32 per second (published). OpenAI: 10 per second (one per 100 ms, as its audio models bill).
 *   The duration comes from a WAV header, else from the size at 128 kbit/s.</li>
 * </ul>
 * Counts are cached by content hash: an attachment re-sent on every turn is read once per process.
 */
final class AttachmentTokens {
    static final long PDF_PAGE_ESTIMATE = 2_000;
    static final long GEMINI_PER_TILE = 258;
    private static final ImageSize UNKNOWN_SIZE = new ImageSize(1024, 1024);

    private final ContentSource contents;
    // sha256 -> (what was read once: image size, page count or seconds)
    private final Map<String, Long> facts = new ConcurrentHashMap<>();

    AttachmentTokens(ContentSource contents) {
        this.contents = contents;
    }

    /** The tokens of a non-text attachment sent in {@code format} to {@code model}. */
    long tokens(ProviderType format, String model, Part.Attachment attachment) {
        String type = attachment.mediaType();
        if (type.startsWith("image/")) {
            return image(format, model, size(attachment));
        }
        if (type.equals("application/pdf")) {
            long pages = Math.max(1, fact(attachment, AttachmentTokens::pages));
            return pages * (format == ProviderType.GEMINI ? GEMINI_PER_TILE : PDF_PAGE_ESTIMATE);
        }
        if (type.startsWith("audio/")) {
            long seconds = fact(attachment, bytes -> seconds(type, bytes));
            return (seconds < 0 ? 60 : seconds) * (format == ProviderType.GEMINI ? 32 : 10);
        }
        return 0;
    }

    /**
     * The image tokens of an image of {@code size} in {@code format}. OpenAI's tile figures are gpt-4o's, gpt-4.1's
     * and gpt-5's (85 + 170 per tile); gpt-4o-mini bills 2833 + 5667 per tile, so that its image price matches
     * gpt-4o's.
     */
    static long image(ProviderType format, String model, ImageSize size) {
        double w = size.width();
        double h = size.height();
        return switch (format) {
            case ANTHROPIC -> {
                double scale = Math.min(1.0, 1568.0 / Math.max(w, h));
                yield (long) Math.ceil(Math.round(w * scale) * Math.round(h * scale) / 750.0);
            }
            case GEMINI -> w <= 384 && h <= 384 ? GEMINI_PER_TILE
                    : GEMINI_PER_TILE * (long) Math.ceil(w / 768) * (long) Math.ceil(h / 768);
            case OPENAI -> {
                double fit = Math.min(1.0, 2048.0 / Math.max(w, h));
                w *= fit;
                h *= fit;
                double shortSide = Math.min(1.0, 768.0 / Math.min(w, h));
                w *= shortSide;
                h *= shortSide;
                long tiles = (long) Math.ceil(w / 512) * (long) Math.ceil(h / 512);
                yield model.contains("gpt-4o-mini") ? 2833 + 5667 * tiles : 85 + 170 * tiles;
            }
        };
    }

    private ImageSize size(Part.Attachment attachment) {
        long packed = fact(attachment, bytes -> ImageSize.of(bytes)
                .map(s -> (long) s.width() << 32 | s.height()).orElse(-1L));
        return packed < 0 ? UNKNOWN_SIZE : new ImageSize((int) (packed >>> 32), (int) packed);
    }

    private long fact(Part.Attachment attachment, java.util.function.ToLongFunction<byte[]> read) {
        return facts.computeIfAbsent(attachment.sha256() + attachment.mediaType(), key -> {
            Optional<byte[]> bytes = bytes(attachment);
            return bytes.isPresent() ? read.applyAsLong(bytes.get()) : -1L;
        });
    }

    private Optional<byte[]> bytes(Part.Attachment attachment) {
        try {
            return Optional.of(contents.bytes(attachment.sha256()));
        } catch (RuntimeException missing) {
            return Optional.empty(); // counted by the defaults; sending it reports the missing blob
        }
    }

    /** The pages of a PDF: its {@code /Type /Page} objects (not {@code /Pages}); at least 1. */
    static long pages(byte[] pdf) {
        String text = new String(pdf, StandardCharsets.ISO_8859_1);
        long pages = 0;
        java.util.regex.Matcher page = PdfPage.PATTERN.matcher(text);
        while (page.find()) {
            pages++;
        }
        return Math.max(1, pages);
    }

    /** Compiled at the first PDF counted, not with the counters every call makes (ADR-003, "Seventh round"). */
    private static final class PdfPage {
        static final java.util.regex.Pattern PATTERN = java.util.regex.Pattern.compile("/Type\\s*/Page(?![a-zA-Z])");
    }

    /** The seconds of audio: from a WAV header's byte rate, else the size at 128 kbit/s; at least 1. */
    static long seconds(String mediaType, byte[] audio) {
        if (mediaType.contains("wav") && audio.length >= 44) {
            long byteRate = (audio[28] & 0xFFL) | (audio[29] & 0xFFL) << 8 | (audio[30] & 0xFFL) << 16
                    | (audio[31] & 0xFFL) << 24;
            if (byteRate > 0) {
                return Math.max(1, (long) Math.ceil((audio.length - 44) / (double) byteRate));
            }
        }
        return Math.max(1, (long) Math.ceil(audio.length * 8 / 128_000.0));
    }
}
