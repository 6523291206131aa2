package dev.llmo.provider;

import dev.llmo.MockServers;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmo.config.ProviderConfig;
import dev.llmo.config.ProviderType;
import dev.llmo.provider.ProviderTestSupport.Recorder;
import dev.llmo.provider.ProviderTestSupport.RecordingSleeper;
import dev.llmo.provider.anthropic.AnthropicClient;
import dev.llmo.provider.openai.OpenAiClient;
import java.util.List;
import java.util.Map;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The body of a chat call is built once: the bytes the log hashes are the bytes sent, on every attempt. */
class PreparedChatTest {
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

    private ProviderClient openAi() {
        ProviderConfig provider = ProviderTestSupport.provider("openai", ProviderType.OPENAI, server, "/v1",
                "OPENAI_API_KEY");
        return new OpenAiClient(provider, ProviderTestSupport.key("OPENAI_API_KEY"),
                ProviderTestSupport.transport(new RecordingSleeper(), 2));
    }

    @Test
    void everyAttemptSendsExactlyThePreparedBytes() throws Exception {
        server.enqueue(new MockResponse().setResponseCode(503).setBody("{\"error\":{\"message\":\"busy\"}}"));
        server.enqueue(new MockResponse().setBody(OpenAiClientTest.RECORDED_BODY)
                .setHeader("Content-Type", "application/json"));
        ProviderClient client = openAi();
        PreparedChat prepared = client.prepare(new ChatRequest("gpt-4o", "Be terse.",
                List.of(ChatMessage.user("Say hi")), Map.of("temperature", 0.2), 1000L, false));
        Recorder recorder = new Recorder();

        client.stream(prepared, recorder);
        recorder.response();

        assertThat(server.getRequestCount()).isEqualTo(2);
        assertThat(server.takeRequest().getBody().readByteArray()).isEqualTo(prepared.body());
        assertThat(server.takeRequest().getBody().readByteArray()).isEqualTo(prepared.body());
    }

    @Test
    void aRequestPreparedByAnotherClientIsRefused() {
        ProviderConfig provider = ProviderTestSupport.provider("anthropic", ProviderType.ANTHROPIC, server, "/v1",
                "ANTHROPIC_API_KEY");
        ProviderClient other = new AnthropicClient(provider, ProviderTestSupport.key("ANTHROPIC_API_KEY"),
                ProviderTestSupport.transport(new RecordingSleeper(), 0));
        PreparedChat foreign = new PreparedChat() {
            @Override
            public ChatRequest request() {
                return new ChatRequest("m", null, List.of(ChatMessage.user("hi")), Map.of(), null, false);
            }

            @Override
            public byte[] body() {
                return new byte[0];
            }
        };

        assertThatThrownBy(() -> other.stream(foreign, new Recorder())).isInstanceOf(IllegalArgumentException.class);
    }
}
