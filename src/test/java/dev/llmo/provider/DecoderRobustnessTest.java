package dev.llmo.provider;

import dev.llmo.MockServers;
import dev.llmo.message.Usage;
import static org.assertj.core.api.Assertions.assertThat;

import dev.llmo.config.ProviderType;
import dev.llmo.core.ProviderClients;
import dev.llmo.provider.ProviderTestSupport.RecordingSleeper;
import dev.llmo.provider.ProviderTestSupport.Recorder;
import java.util.List;
import java.util.Map;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Unexpected values in an answer become sane values, never an exception that loses the answer: absurd, negative or
 * non-numeric token counts are ignored, and a lone surrogate in a delta becomes U+FFFD (a split pair is joined).
 */
class DecoderRobustnessTest {
    private MockWebServer server;

    @BeforeEach
    void start() throws Exception {
        server = MockServers.create();
        server.start();
    }

    @AfterEach
    void stop() throws Exception {
        server.shutdown();
    }

    private ChatResponse complete(ProviderType type, boolean stream, String body) {
        server.enqueue(new MockResponse().setHeader("Content-Type", stream ? "text/event-stream" : "application/json")
                .setBody(body));
        String keyName = type.id().toUpperCase() + "_API_KEY";
        ProviderClient client = new ProviderClients(ProviderTestSupport.transport(new RecordingSleeper(), 0))
                .create(ProviderTestSupport.provider(type.id(), type, server, "/", keyName),
                        ProviderTestSupport.key(keyName));
        Recorder recorder = new Recorder();
        client.stream(new ChatRequest("m", null, List.of(ChatMessage.user("hi")), Map.of(), null, stream), recorder);
        return recorder.response();
    }

    private static String openAiDelta(String jsonString) {
        return "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":" + jsonString + "},\"finish_reason\":null}]}\n\n";
    }

    @Test
    void absurdTokenCountsAreIgnoredAndTheAnswerKept() {
        for (String counts : List.of("\"prompt_tokens\":9007199254740992,\"completion_tokens\":-5",
                "\"prompt_tokens\":\"12\",\"completion_tokens\":1.5",
                "\"prompt_tokens\":1e400,\"completion_tokens\":123456789012345678901234567890")) {
            ChatResponse response = complete(ProviderType.OPENAI, true, openAiDelta("\"fine\"")
                    + "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":{"
                    + counts + "}}\n\ndata: [DONE]\n\n");
            assertThat(response.text()).isEqualTo("fine");
            assertThat(response.usage()).as(counts).isNull();
        }
    }

    @Test
    void theLargestBelievableCountIsKept() {
        ChatResponse response = complete(ProviderType.OPENAI, false, "{\"choices\":[{\"index\":0,\"message\":{"
                + "\"role\":\"assistant\",\"content\":\"ok\"},\"finish_reason\":\"stop\"}],\"usage\":{"
                + "\"prompt_tokens\":9007199254740991,\"completion_tokens\":-1}}");
        assertThat(response.usage()).isEqualTo(Usage.of(9007199254740991L, 0));
    }

    @Test
    void anthropicAndGeminiUsageSurviveNonsense() {
        ChatResponse anthropic = complete(ProviderType.ANTHROPIC, true, """
                event: message_start
                data: {"type":"message_start","message":{"model":"c","usage":{"input_tokens":-3,"cache_read_input_tokens":"many","output_tokens":1e300}}}

                event: content_block_delta
                data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"ok"}}

                event: message_delta
                data: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":18446744073709551616}}

                event: message_stop
                data: {"type":"message_stop"}

                """);
        assertThat(anthropic.text()).isEqualTo("ok");
        assertThat(anthropic.usage()).isEqualTo(Usage.of(0, 0));

        ChatResponse gemini = complete(ProviderType.GEMINI, true, "data: {\"candidates\":[{\"content\":{\"parts\":"
                + "[{\"text\":\"ok\"}]},\"finishReason\":\"STOP\"}],\"usageMetadata\":{\"promptTokenCount\":-1,"
                + "\"candidatesTokenCount\":9007199254740993,\"thoughtsTokenCount\":2}}\n\n");
        assertThat(gemini.text()).isEqualTo("ok");
        assertThat(gemini.usage()).isEqualTo(new Usage(0, 2, 2, 0, 0)); // the thoughts are reasoning output
    }

    @Test
    void loneSurrogatesBecomeReplacementCharactersAndSplitPairsAreJoined() {
        ChatResponse response = complete(ProviderType.OPENAI, true, openAiDelta("\"a\\ud800b\"")
                + openAiDelta("\"\\udc00c\"")
                + openAiDelta("\"smile \\ud83d\"") + openAiDelta("\"\\ude00!\"")
                + openAiDelta("\"end \\ud83d\"")
                + "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n");
        assertThat(response.text()).isEqualTo("a\uFFFDb\uFFFDcsmile \uD83D\uDE00!end \uFFFD");
        for (int i = 0; i < response.text().length(); i++) {
            char c = response.text().charAt(i);
            if (Character.isHighSurrogate(c)) {
                assertThat(Character.isLowSurrogate(response.text().charAt(i + 1))).isTrue();
            }
        }
    }
}
