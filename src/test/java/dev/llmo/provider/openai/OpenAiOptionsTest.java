package dev.llmo.provider.openai;

import static org.assertj.core.api.Assertions.assertThat;

import okhttp3.HttpUrl;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OpenAiOptionsTest {
    /** The host is read without OkHttp where it can be; the verdict must be the one OkHttp's parser gives. */
    @ParameterizedTest
    @ValueSource(strings = {
        "https://api.openai.com/v1", "https://API.OpenAI.COM/v1", "https://api.openai.com", "https://api.openai.com:443/v1",
        "https://user:pw@api.openai.com/v1", "http://api.openai.com/v1", "https://api.openai.com./v1",
        "https://api%2Eopenai.com/v1", "https://api%2eopenai%2Ecom/v1", "https://xn--api.openai.com/v1",
        "https://api.openai.com\\@evil.example/v1", "https://evil.example\\@api.openai.com/v1",
        "https://api.openai.com.evil.example/v1", "https://evil.example/api.openai.com", "https://evil.example?api.openai.com",
        "https://evil.example#@api.openai.com", "https://api.ope\u00f1ai.com/v1", "https://\uff41pi.openai.com/v1",
        "https://[::1]/v1", "http://localhost:8000/v1", "not a url", "", "https://", "api.openai.com/v1",
        "https://api.openai.com:99999/v1", "https://api.openai.com:0/v1", "https://api.openai.com:/v1", "https://api openai.com/v1", "https://api.openai.com/v1 ",
        " https://api.openai.com/v1", "HTTPS://api.openai.com/v1", "ftp://api.openai.com/v1"})
    void theOfficialHostIsTheOneOkHttpSendsTo(String baseUrl) {
        HttpUrl url = HttpUrl.parse(baseUrl);
        boolean official = url != null && url.host().equals("api.openai.com");
        assertThat(OpenAiOptions.completionTokens("llama3.2", baseUrl)).as(baseUrl).isEqualTo(official);
    }
}
