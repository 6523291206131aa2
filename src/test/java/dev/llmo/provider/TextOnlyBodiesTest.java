package dev.llmo.provider;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmo.config.ProviderType;
import dev.llmo.message.Part;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The bodies of requests without tools, byte for byte as llmo 0.1 sent them: log replay rebuilds a logged request's
 * body and checks its digest, so tool support must not move a single byte of them. An assistant turn's reasoning
 * goes back only beside tool calls, so a turn with reasoning and text is still sent as its text.
 */
class TextOnlyBodiesTest {
    @RegisterExtension
    final MockProvider openai = new MockProvider(ProviderType.OPENAI);
    @RegisterExtension
    final MockProvider anthropic = new MockProvider(ProviderType.ANTHROPIC);
    @RegisterExtension
    final MockProvider gemini = new MockProvider(ProviderType.GEMINI);

    private static ChatRequest conversation(String model, boolean stream) {
        Map<String, Object> options = new LinkedHashMap<>();
        options.put("temperature", 0.2);
        options.put("max_tokens", 100L);
        options.put("stop", List.of("\n"));
        return new ChatRequest(model, "Be terse.", List.of(
                ChatMessage.user("Hi"),
                ChatMessage.assistant(List.of(new Part.Reasoning("greeting back", "c2lnbmVk", false),
                        new Part.Text("Hello! "), new Part.Text("How can I help?"))),
                ChatMessage.user("Say \"ok\" ✓")), options, 8192L, stream);
    }

    @Test
    void openAiBodiesAreUnchanged() {
        String messages = "\"messages\":[{\"role\":\"system\",\"content\":\"Be terse.\"},{\"role\":\"user\","
                + "\"content\":\"Hi\"},{\"role\":\"assistant\",\"content\":\"Hello! How can I help?\"},"
                + "{\"role\":\"user\",\"content\":\"Say \\\"ok\\\" ✓\"}]";
        assertThat(openai.bodyOf(conversation("gpt-4o-mini", true))).isEqualTo("{\"model\":\"gpt-4o-mini\","
                + messages + ",\"stream\":true,\"stream_options\":{\"include_usage\":true},\"temperature\":0.2,"
                + "\"max_tokens\":100,\"stop\":[\"\\n\"]}");
        assertThat(openai.bodyOf(conversation("gpt-4o-mini", false))).isEqualTo("{\"model\":\"gpt-4o-mini\","
                + messages + ",\"temperature\":0.2,\"max_tokens\":100,\"stop\":[\"\\n\"]}");
    }

    @Test
    void anthropicBodiesAreUnchanged() {
        String head = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":100,\"system\":\"Be terse.\","
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"},{\"role\":\"assistant\","
                + "\"content\":\"Hello! How can I help?\"},{\"role\":\"user\",\"content\":\"Say \\\"ok\\\" ✓\"}]";
        assertThat(anthropic.bodyOf(conversation("claude-sonnet-4-5", true))).isEqualTo(head
                + ",\"stream\":true,\"temperature\":0.2,\"stop_sequences\":[\"\\n\"]}");
        assertThat(anthropic.bodyOf(conversation("claude-sonnet-4-5", false))).isEqualTo(head
                + ",\"temperature\":0.2,\"stop_sequences\":[\"\\n\"]}");
    }

    @Test
    void geminiBodiesAreUnchanged() {
        String body = "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"Hi\"}]},{\"role\":\"model\","
                + "\"parts\":[{\"text\":\"Hello! How can I help?\"}]},{\"role\":\"user\",\"parts\":[{\"text\":"
                + "\"Say \\\"ok\\\" ✓\"}]}],\"systemInstruction\":{\"parts\":[{\"text\":\"Be terse.\"}]},"
                + "\"generationConfig\":{\"temperature\":0.2,\"maxOutputTokens\":100,\"stopSequences\":[\"\\n\"]}}";
        assertThat(gemini.bodyOf(conversation("gemini-2.5-flash", true))).isEqualTo(body);
        assertThat(gemini.bodyOf(conversation("gemini-2.5-flash", false))).isEqualTo(body);
    }
}
