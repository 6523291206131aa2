package dev.llmo.context;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmo.config.ProviderType;
import dev.llmo.input.ImageSize;
import dev.llmo.message.ContentSource;
import dev.llmo.message.Part;
import dev.llmo.provider.ChatMessage;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Attachment tokens by the providers' published rules, and the documented estimates where there are none. */
class AttachmentTokensTest {

    @Test
    void openAiCountsTilesOfTheScaledImage() {
        // 1024x1024: short side to 768 -> 768x768 -> 2x2 tiles -> 85 + 4*170
        assertThat(AttachmentTokens.image(ProviderType.OPENAI, "gpt-4o", new ImageSize(1024, 1024))).isEqualTo(765);
        // 4096x2048: fit 2048 -> 2048x1024, short side 768 -> 1536x768 -> 3x2 tiles
        assertThat(AttachmentTokens.image(ProviderType.OPENAI, "gpt-4.1", new ImageSize(4096, 2048))).isEqualTo(1105);
        assertThat(AttachmentTokens.image(ProviderType.OPENAI, "gpt-4o-mini", new ImageSize(1024, 1024)))
                .isEqualTo(2833 + 4 * 5667);
    }

    @Test
    void anthropicCountsPixelsOver750AfterScalingTheLongEdge() {
        assertThat(AttachmentTokens.image(ProviderType.ANTHROPIC, "claude", new ImageSize(1000, 1000))).isEqualTo(1334);
        // 3136x1568 -> 1568x784
        assertThat(AttachmentTokens.image(ProviderType.ANTHROPIC, "claude", new ImageSize(3136, 1568)))
                .isEqualTo((long) Math.ceil(1568 * 784 / 750.0));
    }

    @Test
    void geminiCountsAFixed258PerImageOrTile() {
        assertThat(AttachmentTokens.image(ProviderType.GEMINI, "gemini", new ImageSize(384, 300))).isEqualTo(258);
        assertThat(AttachmentTokens.image(ProviderType.GEMINI, "gemini", new ImageSize(1000, 700))).isEqualTo(516);
    }

    @Test
    void pdfPagesAndAudioSeconds() {
        byte[] pdf = "%PDF-1.7\n1 0 obj << /Type /Pages /Count 3 >>\n2 0 obj << /Type /Page >>\n3 0 obj <</Type/Page>>\n4 0 obj << /Type /Page /Parent 1 0 R >>"
                .getBytes(StandardCharsets.ISO_8859_1);
        assertThat(AttachmentTokens.pages(pdf)).isEqualTo(3);
        byte[] wav = new byte[44 + 32_000 * 3];
        wav[28] = 0x00; // byte rate 32000 = 0x7D00
        wav[29] = 0x7D;
        assertThat(AttachmentTokens.seconds("audio/wav", wav)).isEqualTo(3);
        assertThat(AttachmentTokens.seconds("audio/mpeg", new byte[16_000 * 10])).isEqualTo(10);

        Map<String, byte[]> blobs = Map.of("a".repeat(64), pdf, "b".repeat(64), wav);
        AttachmentTokens tokens = new AttachmentTokens(blobs::get);
        assertThat(tokens.tokens(ProviderType.GEMINI, "g", new Part.Attachment("application/pdf", "a".repeat(64), null)))
                .isEqualTo(3 * 258);
        assertThat(tokens.tokens(ProviderType.ANTHROPIC, "c", new Part.Attachment("application/pdf", "a".repeat(64),
                null))).isEqualTo(3 * AttachmentTokens.PDF_PAGE_ESTIMATE);
        assertThat(tokens.tokens(ProviderType.GEMINI, "g", new Part.Attachment("audio/wav", "b".repeat(64), null)))
                .isEqualTo(3 * 32);
        assertThat(tokens.tokens(ProviderType.OPENAI, "gpt-4o-audio-preview", new Part.Attachment("audio/wav",
                "b".repeat(64), null))).isEqualTo(3 * 10);
    }

    @Test
    void aCounterWithAContentStoreCountsAttachmentsAndTextStaysAsItWas() {
        byte[] text = "hello world".getBytes(StandardCharsets.UTF_8);
        String sha = dev.llmo.io.ContentStore.sha256(text);
        ContentSource source = s -> {
            if (!s.equals(sha)) {
                throw new IllegalStateException("missing");
            }
            return text;
        };
        TokenCounter plain = TokenCounters.create().forModel(ProviderType.OPENAI, "openai", "gpt-4o");
        TokenCounter counting = TokenCounters.create(source).forModel(ProviderType.OPENAI, "openai", "gpt-4o");
        ChatMessage words = ChatMessage.user("Summarise");
        assertThat(counting.messageTokens(words)).isEqualTo(plain.messageTokens(words));

        ChatMessage withText = new ChatMessage(ChatMessage.Role.USER, List.of(new Part.Text("Summarise"),
                new Part.Attachment("text/plain", sha, "notes.txt")));
        assertThat(counting.messageTokens(withText)).isEqualTo(plain.messageTokens(words)
                + plain.messageTokens(ChatMessage.user("--- notes.txt ---\nhello world"))
                - plain.messageTokens(ChatMessage.user("")));
        ChatMessage withImage = new ChatMessage(ChatMessage.Role.USER, List.of(new Part.Text("Summarise"),
                new Part.Attachment("image/png", "c".repeat(64), "missing.png")));
        assertThat(counting.messageTokens(withImage)).as("a missing blob counts as a 1024x1024 image")
                .isEqualTo(plain.messageTokens(words) + 765);
    }

    /**
     * A text attachment's bound without a tokenizer is the UTF-8 size of the text part it is sent as: never less
     * than its count, in any encoding (here a text that tokenizes badly, and bytes that are no UTF-8, sent as
     * U+FFFD). Other attachments, missing or very large ones have none.
     */
    @Test
    void aTextAttachmentIsBoundedByTheBytesItIsSentAs() {
        java.util.Map<String, byte[]> stored = new java.util.HashMap<>();
        java.util.function.Function<byte[], String> store = bytes -> {
            String sha = dev.llmo.io.ContentStore.sha256(bytes);
            stored.put(sha, bytes);
            return sha;
        };
        String words = store.apply("hello world".getBytes(StandardCharsets.UTF_8));
        String odd = store.apply("\u00e9\u4e2d\ud83d\ude00 \u2028\u0000~~~~".getBytes(StandardCharsets.UTF_8));
        String broken = store.apply(new byte[] {(byte) 0xff, (byte) 0xfe, 'a', (byte) 0xc3});
        String large = store.apply(new byte[(1 << 20) + 1]);
        TokenCounters counters = TokenCounters.create(sha -> {
            byte[] bytes = stored.get(sha);
            if (bytes == null) {
                throw new IllegalStateException("missing");
            }
            return bytes;
        });

        assertThat(counters.textAttachmentBound(new Part.Attachment("text/plain", words, "notes.txt")))
                .isEqualTo("--- notes.txt ---\nhello world".length());
        assertThat(counters.textAttachmentBound(new Part.Attachment("text/plain", broken, "b.txt")))
                .isEqualTo("--- b.txt ---\n".length() + 3 + 3 + 1 + 3);
        for (String sha : List.of(words, odd, broken)) {
            Part.Attachment text = new Part.Attachment("text/markdown", sha, "f.md");
            ChatMessage with = new ChatMessage(ChatMessage.Role.USER, List.of(text));
            for (ProviderType type : ProviderType.values()) {
                TokenCounter counter = counters.forModel(type, "p", "gpt-4o");
                assertThat(counters.textAttachmentBound(text)).as("%s %s", type, sha)
                        .isGreaterThanOrEqualTo(counter.messageTokens(with)
                                - counter.messageTokens(new ChatMessage(ChatMessage.Role.USER, List.of())));
            }
        }
        assertThat(counters.textAttachmentBound(new Part.Attachment("image/png", words, "x.png"))).isEqualTo(-1);
        assertThat(counters.textAttachmentBound(new Part.Attachment("text/plain", "d".repeat(64), "gone.txt")))
                .isEqualTo(-1);
        assertThat(counters.textAttachmentBound(new Part.Attachment("text/plain", large, "big.txt"))).isEqualTo(-1);
        assertThat(TokenCounters.create().textAttachmentBound(new Part.Attachment("text/plain", words, "n.txt")))
                .as("no content store").isEqualTo(-1);
    }
}
