package dev.llmo.provider;

import dev.llmo.MockServers;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmo.config.ProviderType;
import dev.llmo.core.ProviderClients;
import dev.llmo.failure.ErrorKind;
import dev.llmo.failure.ModelCallException;
import dev.llmo.provider.ProviderTestSupport.RecordingSleeper;
import dev.llmo.provider.http.HttpSettings;
import dev.llmo.provider.http.SharedHttpClient;
import dev.llmo.provider.http.Transport;
import java.util.List;
import java.util.Map;
import okhttp3.HttpUrl;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * API calls never follow a redirect: a 3xx would carry the key headers (and on 307/308 the prompt) to another host.
 * The redirect is an error naming where the server pointed.
 */
class RedirectTest {
    private MockWebServer configured;
    private MockWebServer elsewhere;

    @BeforeEach
    void start() throws Exception {
        configured = MockServers.create();
        configured.start();
        elsewhere = MockServers.create();
        elsewhere.start();
        // whatever reaches the other host would be answered: only the request count tells
        for (int i = 0; i < 4; i++) {
            elsewhere.enqueue(new MockResponse().setHeader("Content-Type", "application/json")
                    .setBody("{\"data\":[],\"models\":[]}"));
        }
    }

    @AfterEach
    void stop() throws Exception {
        configured.shutdown();
        elsewhere.shutdown();
    }

    private ProviderClient client(ProviderType type) {
        String keyName = type.id().toUpperCase() + "_API_KEY";
        return new ProviderClients(ProviderTestSupport.transport(new RecordingSleeper(), 2))
                .create(ProviderTestSupport.provider(type.id(), type, configured, "/v1", keyName),
                        ProviderTestSupport.key(keyName));
    }

    private static ChatRequest request(boolean stream) {
        return new ChatRequest("m", null, List.of(ChatMessage.user("the secret prompt")), Map.of(), null, stream);
    }

    @ParameterizedTest
    @CsvSource({"OPENAI,302,true", "OPENAI,307,false", "ANTHROPIC,302,true", "ANTHROPIC,307,true",
            "ANTHROPIC,308,false", "GEMINI,301,true", "GEMINI,307,false"})
    void aChatCallDoesNotFollowARedirect(ProviderType type, int status, boolean stream) {
        String target = elsewhere.url("/stolen").toString();
        configured.enqueue(new MockResponse().setResponseCode(status).setHeader("Location", target));

        assertThatThrownBy(() -> client(type).complete(request(stream)))
                .isInstanceOfSatisfying(ModelCallException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.REDIRECT);
                    assertThat(e.status()).isEqualTo(status);
                    assertThat(e.exitCode().code()).isEqualTo(1);
                    assertThat(e.fix()).contains("set base_url of provider '" + type.id() + "'");
                })
                .hasMessage(type.id() + " answered HTTP " + status + ", a redirect to " + target
                        + "; llmo does not follow redirects of API calls (the key would go along)");
        assertThat(elsewhere.getRequestCount()).isZero();
        assertThat(configured.getRequestCount()).isEqualTo(1); // a redirect is not retried either
    }

    @ParameterizedTest
    @CsvSource({"OPENAI", "ANTHROPIC", "GEMINI"})
    void theModelListingDoesNotFollowARedirect(ProviderType type) {
        configured.enqueue(new MockResponse().setResponseCode(302)
                .setHeader("Location", elsewhere.url("/models").toString()));

        assertThatThrownBy(() -> client(type).listModels())
                .isInstanceOfSatisfying(ModelCallException.class,
                        e -> assertThat(e.kind()).isEqualTo(ErrorKind.REDIRECT))
                .hasMessageContaining("a redirect to " + elsewhere.url("/models"));
        assertThat(elsewhere.getRequestCount()).isZero();
    }

    @Test
    void theCredentialsOfABaseUrlOrALocationAreNotShown() {
        String base = configured.url("/v1").toString().replace("://", "://proxyuser:PROXYPASS99@");
        var provider = new dev.llmo.config.ProviderConfig("proxied", ProviderType.OPENAI, base, null, null, "m",
                List.of(), null, dev.llmo.config.Origin.of("test", "test"));
        String target = elsewhere.url("/stolen").toString().replace("://", "://u:LOCATIONPASS@");
        configured.enqueue(new MockResponse().setResponseCode(302).setHeader("Location", target));

        assertThatThrownBy(() -> new ProviderClients(ProviderTestSupport.transport(new RecordingSleeper(), 2))
                .create(provider, null).complete(request(false)))
                .isInstanceOfSatisfying(ModelCallException.class, e -> assertThat(e.fix())
                        .endsWith("(now " + base.replace("proxyuser:PROXYPASS99@", "***@") + ")"))
                .hasMessageContaining("a redirect to " + target.replace("u:LOCATIONPASS@", "***@") + ";");
    }

    @Test
    void aRedirectWithoutLocationSaysSo() {
        configured.enqueue(new MockResponse().setResponseCode(303));
        assertThatThrownBy(() -> client(ProviderType.OPENAI).complete(request(false)))
                .hasMessageContaining("a redirect without saying where (no Location header)");
    }

    @Test
    void theProcessClientsFollowNoRedirects() {
        assertThat(SharedHttpClient.get().followRedirects()).isFalse();
        assertThat(SharedHttpClient.get().followSslRedirects()).isFalse();
        Transport shared = Transport.shared(HttpSettings.DEFAULT);
        assertThat(shared.client(HttpUrl.get("http://127.0.0.1/")).followRedirects()).isFalse();
        assertThat(shared.client(HttpUrl.get("https://example.org/")).followSslRedirects()).isFalse();
    }

    @Test
    void aGeminiModelNameCannotChangeThePathOrAddAQuery() throws Exception {
        ProviderClient gemini = client(ProviderType.GEMINI);
        for (String model : List.of("x:generateContent?key=stolen", "../../foo", "models/../../../v1/files#frag")) {
            configured.enqueue(new MockResponse().setHeader("Content-Type", "text/event-stream")
                    .setBody("data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"ok\"}]},"
                            + "\"finishReason\":\"STOP\"}]}\n\n"));
            gemini.complete(new ChatRequest(model, null, List.of(ChatMessage.user("hi")), Map.of(), null, true));

            RecordedRequest sent = configured.takeRequest();
            HttpUrl url = sent.getRequestUrl();
            String name = model.startsWith("models/") ? model.substring(7) : model;
            assertThat(url.pathSegments()).containsExactly("v1", "v1beta", "models",
                    name + ":streamGenerateContent");
            assertThat(url.queryParameterNames()).containsExactly("alt");
            assertThat(url.queryParameter("alt")).isEqualTo("sse");
        }
        assertThat(configured.takeRequest(0, java.util.concurrent.TimeUnit.SECONDS)).isNull();
    }
}
