package dev.llmo.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmo.config.ProviderType;
import dev.llmo.failure.UsageException;
import dev.llmo.message.ContentSource;
import dev.llmo.message.Part;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A user turn with attachments in each wire format, compared with the shapes the providers document: OpenAI Chat
 * Completions content parts ({@code image_url} with a {@code data:} URL, {@code file} with {@code file_data} and
 * {@code filename}, {@code input_audio} with {@code data} and {@code format}); Anthropic {@code image} and
 * {@code document} blocks with a {@code base64} {@code source}; Gemini {@code inlineData} parts. A {@code text/*}
 * attachment (a fragment) is a text part everywhere.
 */
class AttachmentBodiesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, byte[]> BLOBS = new HashMap<>();
    private static final ContentSource SOURCE = sha -> {
        byte[] bytes = BLOBS.get(sha);
        if (bytes == null) {
            throw new AssertionError("no blob " + sha);
        }
        return bytes;
    };

    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 1, 2, 3};
    private static final byte[] PDF = "%PDF-1.7\n%\u00e2\u00e3\n1 0 obj".getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] WAV = {'R', 'I', 'F', 'F', 4, 0, 0, 0, 'W', 'A', 'V', 'E', 'f', 'm', 't', ' '};
    private static final byte[] NOTES = "line one\nline ✓".getBytes(StandardCharsets.UTF_8);

    @RegisterExtension
    final MockProvider openai = new MockProvider(ProviderType.OPENAI).contents(SOURCE);
    @RegisterExtension
    final MockProvider anthropic = new MockProvider(ProviderType.ANTHROPIC).contents(SOURCE);
    @RegisterExtension
    final MockProvider gemini = new MockProvider(ProviderType.GEMINI).contents(SOURCE);

    private static Part.Attachment blob(byte[] bytes, String type, String name) {
        String sha = dev.llmo.io.ContentStore.sha256(bytes);
        BLOBS.put(sha, bytes);
        return new Part.Attachment(type, sha, name);
    }

    private static ChatRequest request(String model, Part... attachments) {
        List<Part> parts = new java.util.ArrayList<>();
        parts.add(new Part.Text("What is this?"));
        parts.addAll(List.of(attachments));
        return new ChatRequest(model, null, List.of(new ChatMessage(ChatMessage.Role.USER, parts)), Map.of(), 1000L,
                false);
    }

    private static String b64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    private static JsonNode content(String body, String... path) throws Exception {
        JsonNode node = JSON.readTree(body);
        for (String key : path) {
            node = key.matches("\\d+") ? node.get(Integer.parseInt(key)) : node.get(key);
        }
        return node;
    }

    @Test
    void openAiSendsImageUrlFileAndInputAudioParts() throws Exception {
        String body = openai.bodyOf(request("gpt-4o", blob(PNG, "image/png", "shots/cat.png"),
                blob(PDF, "application/pdf", "docs/report.pdf"), blob(WAV, "audio/wav", "hello.wav"),
                blob(NOTES, "text/plain", "notes.txt")));
        assertThat(content(body, "messages", "0", "content")).isEqualTo(JSON.readTree("""
                [{"type":"text","text":"What is this?"},
                 {"type":"image_url","image_url":{"url":"data:image/png;base64,%s"}},
                 {"type":"file","file":{"filename":"report.pdf","file_data":"data:application/pdf;base64,%s"}},
                 {"type":"input_audio","input_audio":{"data":"%s","format":"wav"}},
                 {"type":"text","text":"--- notes.txt ---\\nline one\\nline ✓"}]
                """.formatted(b64(PNG), b64(PDF), b64(WAV))));
    }

    @Test
    void openAiSendsMp3AsMp3AndRefusesAudioItCannotTake() {
        byte[] mp3 = {'I', 'D', '3', 4, 0, 0, 0, 0, 0, 0};
        assertThat(openai.bodyOf(request("gpt-4o-audio-preview", blob(mp3, "audio/mpeg", "a.mp3"))))
                .contains("{\"type\":\"input_audio\",\"input_audio\":{\"data\":\"" + b64(mp3)
                        + "\",\"format\":\"mp3\"}}");
        byte[] flac = {'f', 'L', 'a', 'C', 0};
        assertThatThrownBy(() -> openai.client().prepare(request("gpt-4o", blob(flac, "audio/flac", "a.flac"))))
                .isInstanceOf(UsageException.class).hasMessageContaining("cannot send audio/flac (attachment a.flac)");
        byte[] heic = {0, 0, 0, 0x18, 'f', 't', 'y', 'p', 'h', 'e', 'i', 'c'};
        assertThatThrownBy(() -> openai.client().prepare(request("gpt-4o", blob(heic, "image/heic", "a.heic"))))
                .isInstanceOf(UsageException.class).hasMessageContaining("cannot send image/heic");
    }

    @Test
    void anthropicSendsImageAndDocumentBlocksWithBase64Sources() throws Exception {
        String body = anthropic.bodyOf(request("claude-sonnet-4-5", blob(PNG, "image/png", "cat.png"),
                blob(PDF, "application/pdf", "report.pdf"), blob(NOTES, "text/markdown", null)));
        assertThat(content(body, "messages", "0", "content")).isEqualTo(JSON.readTree("""
                [{"type":"text","text":"What is this?"},
                 {"type":"image","source":{"type":"base64","media_type":"image/png","data":"%s"}},
                 {"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"%s"}},
                 {"type":"text","text":"--- sha256:%s ---\\nline one\\nline ✓"}]
                """.formatted(b64(PNG), b64(PDF), dev.llmo.io.ContentStore.sha256(NOTES).substring(0, 12))));
        assertThatThrownBy(() -> anthropic.client().prepare(request("claude-sonnet-4-5",
                blob(WAV, "audio/wav", "hello.wav"))))
                .isInstanceOf(UsageException.class).hasMessageContaining("Anthropic Messages wire format cannot send "
                        + "audio/wav");
    }

    @Test
    void geminiSendsInlineDataParts() throws Exception {
        String body = gemini.bodyOf(request("gemini-2.5-flash", blob(PNG, "image/png", "cat.png"),
                blob(PDF, "application/pdf", "report.pdf"), blob(WAV, "audio/wav", "hello.wav"),
                blob(NOTES, "text/plain", "notes.txt")));
        assertThat(content(body, "contents", "0")).isEqualTo(JSON.readTree("""
                {"role":"user","parts":[{"text":"What is this?"},
                 {"inlineData":{"mimeType":"image/png","data":"%s"}},
                 {"inlineData":{"mimeType":"application/pdf","data":"%s"}},
                 {"inlineData":{"mimeType":"audio/wav","data":"%s"}},
                 {"text":"--- notes.txt ---\\nline one\\nline ✓"}]}
                """.formatted(b64(PNG), b64(PDF), b64(WAV))));
    }

    @Test
    void aTurnWithoutAttachmentsKeepsItsPlainTextBody() {
        ChatRequest plain = new ChatRequest("gpt-4o", null, List.of(new ChatMessage(ChatMessage.Role.USER,
                List.of(new Part.Text("a"), new Part.Text("b")))), Map.of(), null, false);
        assertThat(openai.bodyOf(plain)).isEqualTo("{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"ab\"}]}");
    }
}
