package dev.llmo.provider;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmo.config.ProviderConfig;
import dev.llmo.config.ProviderType;
import dev.llmo.failure.CallError;
import dev.llmo.failure.CredentialsException;
import dev.llmo.failure.ErrorKind;
import dev.llmo.failure.ExitCode;
import dev.llmo.failure.ModelAuthException;
import dev.llmo.failure.ModelCallException;
import dev.llmo.provider.http.AttemptFailure;
import dev.llmo.provider.http.HttpErrorMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import okhttp3.Headers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HttpErrorMapperTest {
    private static final ProviderConfig OPENAI = ProviderTestSupport.provider("openai", ProviderType.OPENAI,
            "https://api.openai.com/v1", "OPENAI_API_KEY");
    private final HttpErrorMapper mapper = new HttpErrorMapper(OPENAI, ProviderTestSupport.key("OPENAI_API_KEY"),
            Duration.ofSeconds(10), Duration.ofSeconds(600), ProviderTestSupport.CLOCK);

    private static Headers headers(String... namesAndValues) {
        return Headers.of(namesAndValues);
    }

    private static ErrorKind kind(AttemptFailure failure) {
        return ((CallError) failure.error()).kind();
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', textBlock = """
            400 | {"error":{"message":"This model's maximum context length is 4097 tokens. However, your messages resulted in 4294 tokens.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}} | CONTEXT_LENGTH | false
            400 | {"error":{"message":"Unrecognized request argument supplied: foo","type":"invalid_request_error","param":null,"code":null}} | BAD_REQUEST | false
            404 | {"error":{"message":"The model `gpt-nope` does not exist or you do not have access to it.","type":"invalid_request_error","param":null,"code":"model_not_found"}} | NOT_FOUND | false
            408 | {"error":{"code":408,"message":"Timed out"}} | TIMEOUT | true
            409 | {"error":{"message":"conflict"}} | CONFLICT | true
            413 | {"type":"error","error":{"type":"request_too_large","message":"Request exceeds the maximum allowed number of bytes."}} | BAD_REQUEST | false
            422 | {"error":{"message":"unprocessable"}} | BAD_REQUEST | false
            429 | {"error":{"message":"Rate limit reached for gpt-4o on tokens per min. Limit: 10000 / min. Please try again in 6ms.","type":"tokens","param":null,"code":"rate_limit_exceeded"}} | RATE_LIMITED | true
            429 | {"error":{"message":"You exceeded your current quota, please check your plan and billing details.","type":"insufficient_quota","param":null,"code":"insufficient_quota"}} | QUOTA | false
            402 | {"error":{"code":402,"message":"Insufficient credits","metadata":{}}} | QUOTA | false
            402 | {"type":"error","error":{"type":"billing_error","message":"Your credit balance is too low"}} | QUOTA | false
            498 | {"error":{"message":"capacity exceeded","type":"capacity_exceeded"}} | OVERLOADED | true
            500 | {"error":{"message":"The server had an error while processing your request. Sorry about that!","type":"server_error"}} | SERVER_ERROR | true
            501 | <html><body><h1>501 Not Implemented</h1></body></html> | SERVER_ERROR | false
            502 | <html><body><h1>502 Bad Gateway</h1></body></html> | SERVER_ERROR | true
            503 | {"error":{"code":503,"message":"The model is overloaded. Please try again later.","status":"UNAVAILABLE"}} | OVERLOADED | true
            504 | {"type":"error","error":{"type":"timeout_error","message":"timeout"}} | TIMEOUT | true
            529 | {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}} | OVERLOADED | true
            400 | {"error":{"code":400,"message":"request (13392 tokens) exceeds the available context size (8192 tokens), try increasing it","type":"exceed_context_size_error","n_prompt_tokens":13392,"n_ctx":8192}} | CONTEXT_LENGTH | false
            404 | {"error":"model 'foo' not found"} | NOT_FOUND | false
            400 | {"object":"error","message":"top_p must be in (0, 1]","type":"BadRequestError","param":null,"code":400} | BAD_REQUEST | false
            """)
    void statusAndBodyGiveKindAndRetryability(int status, String body, ErrorKind kind, boolean retryable) {
        AttemptFailure failure = mapper.fromResponse(status, headers(), body);
        assertThat(failure.error()).isInstanceOf(ModelCallException.class);
        assertThat(failure.error().exitCode()).isEqualTo(ExitCode.FAILURE);
        assertThat(kind(failure)).isEqualTo(kind);
        assertThat(((CallError) failure.error()).status()).isEqualTo(status);
        assertThat(failure.retryable()).isEqualTo(retryable);
        assertThat(failure.error().getMessage()).startsWith("openai answered HTTP " + status + " (").doesNotContain("\n");
    }

    @Test
    void providerMessageIsQuoted() {
        AttemptFailure failure = mapper.fromResponse(404, headers(), "{\"error\":{\"message\":\"The model `gpt-nope` "
                + "does not exist or you do not have access to it.\",\"type\":\"invalid_request_error\",\"param\":null,"
                + "\"code\":\"model_not_found\"}}");
        assertThat(failure.error()).hasMessage("openai answered HTTP 404 (not found): The model `gpt-nope` does not "
                + "exist or you do not have access to it.");
        assertThat(failure.error().fix()).isEqualTo("check the model name ('llmo models --remote' lists what openai "
                + "serves) and base_url in models.yaml (https://api.openai.com/v1)");
    }

    @Test
    void htmlBodyBecomesItsText() {
        AttemptFailure failure = mapper.fromResponse(502, headers(),
                "<html><head><style>x{}</style></head><body><h1>502 Bad Gateway</h1></body></html>");
        assertThat(failure.error()).hasMessage("openai answered HTTP 502 (server error): 502 Bad Gateway");
    }

    @Test
    void status401IsACredentialsErrorWithTheExactFixAndNoKey() {
        AttemptFailure failure = mapper.fromResponse(401, headers(), "{\"error\":{\"message\":\"Incorrect API key "
                + "provided: sk-VKMIs***…wjh3. You can find your API key at https://platform.openai.com/account/api-keys.\","
                + "\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"invalid_api_key\"}}");
        assertThat(failure.error()).isInstanceOf(ModelAuthException.class).isInstanceOf(CredentialsException.class);
        assertThat(failure.error().exitCode()).isEqualTo(ExitCode.CREDENTIALS);
        assertThat(kind(failure)).isEqualTo(ErrorKind.AUTH);
        assertThat(failure.retryable()).isFalse();
        assertThat(failure.error().getMessage()).startsWith("openai refused the API key (HTTP 401): Incorrect API key "
                + "provided: sk-***").doesNotContain("VKMIs");
        assertThat(failure.error().fix())
                .isEqualTo("check OPENAI_API_KEY: run 'llmo vault set OPENAI_API_KEY' or 'export OPENAI_API_KEY=…'");
    }

    @Test
    void status403IsForbiddenExit4() {
        AttemptFailure failure = mapper.fromResponse(403, headers(), "{\"error\":{\"message\":\"Country, region, or "
                + "territory not supported\",\"type\":\"request_forbidden\",\"param\":null,\"code\":"
                + "\"unsupported_country_region_territory\"}}");
        assertThat(failure.error().exitCode()).isEqualTo(ExitCode.CREDENTIALS);
        assertThat(kind(failure)).isEqualTo(ErrorKind.FORBIDDEN);
        assertThat(failure.error()).hasMessage("openai refused access (HTTP 403): Country, region, or territory not "
                + "supported");
    }

    @Test
    void theKeyNeverAppearsInAMessage() {
        AttemptFailure failure = mapper.fromResponse(400, headers(), "{\"error\":{\"message\":\"bad key "
                + ProviderTestSupport.KEY + " and AIzaSyA1234567890abcdef\"}}");
        assertThat(failure.error().getMessage()).doesNotContain(ProviderTestSupport.KEY).doesNotContain("AIzaSyA1234")
                .contains("bad key ***");
    }

    @Test
    void aPieceOfTheKeyOfEightCharactersOrMoreIsMaskedToo() {
        String key = ProviderTestSupport.KEY; // sk-test-0123456789abcdef
        AttemptFailure tail = mapper.fromResponse(400, headers(), "{\"error\":{\"message\":\"key ends in "
                + key.substring(key.length() - 20) + ", check it\"}}");
        assertThat(tail.error()).hasMessage("openai answered HTTP 400 (bad request): key ends in ***, check it");

        assertThat(mapper.clean("starts " + key.substring(0, 10) + "; middle " + key.substring(9, 17) + "."))
                .as("a head (whose prefix the key-like pattern alone would leave long) and a middle piece")
                .isEqualTo("starts ***; middle ***.");
        assertThat(mapper.clean("short 0123456 and ab" + key.substring(12, 21) + "yz"))
                .as("seven characters are not a piece; a piece inside other text is").isEqualTo("short 0123456 and ab***yz");
        assertThat(mapper.clean("The model `gpt-4o-mini` does not exist or you do not have access to it."))
                .isEqualTo("The model `gpt-4o-mini` does not exist or you do not have access to it.");
    }

    @Test
    void aHugeMalformedBodyIsCutBeforeItIsCleanedAndNoPieceOfAKeyShows() {
        // whitespace collapses, so the cut's neighbourhood could reach the shown start: the word it cut goes
        String key = ProviderTestSupport.KEY;
        String body = "not json" + " ".repeat(16 * 1024 - 8 - key.length() / 2) + key + "x".repeat(32 * 1024 * 1024);
        AttemptFailure failure = mapper.malformed("an answer that is not JSON", body);
        assertThat(failure.error().getMessage()).isEqualTo("openai sent an answer that is not JSON: not json");
        assertThat(mapper.clean(body)).isEqualTo("not json");
    }

    @Test
    void aConnectionClosedBeforeAnyHeaderByteIsStillAConnectionFailureToRetry() {
        // a kept-alive connection the server had dropped: OkHttp read nothing of the status line
        AttemptFailure dropped = mapper.fromIo(new IOException("unexpected end of stream on https://api.openai.com/...",
                new java.io.EOFException("\\n not found: limit=0 content=\u2026")), false);

        assertThat(kind(dropped)).isEqualTo(ErrorKind.CONNECTION);
        assertThat(dropped.retryable()).isTrue();
    }

    @Test
    void retryAfterHints() {
        assertThat(mapper.fromResponse(429, headers("retry-after-ms", "1500.5"), "").retryAfter())
                .isEqualTo(Duration.ofNanos(1_500_500_000L));
        assertThat(mapper.fromResponse(429, headers("retry-after", "3"), "").retryAfter())
                .isEqualTo(Duration.ofSeconds(3));
        assertThat(mapper.fromResponse(503, headers("retry-after", "Sat, 21 Nov 2026 12:00:20 GMT"), "").retryAfter())
                .isEqualTo(Duration.ofSeconds(20));
        assertThat(mapper.fromResponse(429, headers("retry-after-ms", "250", "retry-after", "9"), "").retryAfter())
                .as("retry-after-ms first").isEqualTo(Duration.ofMillis(250));
        assertThat(mapper.fromResponse(429, headers("retry-after", "soon"), "").retryAfter()).isNull();
    }

    @Test
    void hintOverSixtySecondsIsNotWaitedFor() {
        AttemptFailure failure = mapper.fromResponse(429, headers("retry-after", "3600"), "{\"error\":{\"message\":"
                + "\"slow down\"}}");
        assertThat(failure.retryable()).isFalse();
        assertThat(failure.error()).hasMessage("openai answered HTTP 429 (rate limited): slow down (the provider asks "
                + "to wait 60 min)");
    }

    @Test
    void shouldRetryHeaderOverridesTheStatus() {
        assertThat(mapper.fromResponse(400, headers("x-should-retry", "true"), "").retryable()).isTrue();
        assertThat(mapper.fromResponse(500, headers("x-should-retry", "false"), "").retryable()).isFalse();
    }

    @Test
    void ioFailures() {
        AttemptFailure refused = mapper.fromIo(new ConnectException("Connection refused"), false);
        assertThat(refused.error()).hasMessage("cannot connect to https://api.openai.com (connection refused)");
        assertThat(kind(refused)).isEqualTo(ErrorKind.CONNECTION);
        assertThat(refused.retryable()).as("a remote server may come back").isTrue();

        AttemptFailure unknown = mapper.fromIo(new UnknownHostException("api.openai.com"), false);
        assertThat(unknown.error()).hasMessage("cannot connect to https://api.openai.com (unknown host api.openai.com)");

        AttemptFailure read = mapper.fromIo(new SocketTimeoutException("timeout"), true);
        assertThat(kind(read)).isEqualTo(ErrorKind.TIMEOUT);
        assertThat(read.error()).hasMessage("openai sent nothing for 10 min (read timeout)");
        assertThat(read.retryable()).isTrue();

        AttemptFailure connect = mapper.fromIo(new SocketTimeoutException("connect timed out"), false);
        assertThat(connect.error()).hasMessage("cannot connect to https://api.openai.com (timed out after 10 s)");

        AttemptFailure broken = mapper.fromIo(new IOException("unexpected end of stream"), true);
        assertThat(broken.error()).hasMessage("the connection to openai broke mid-answer (unexpected end of stream)");
    }

    @Test
    void refusedLocalServerFailsAtOnce() {
        ProviderConfig ollama = ProviderTestSupport.provider("ollama", ProviderType.OPENAI, "http://localhost:11434/v1",
                null);
        HttpErrorMapper local = new HttpErrorMapper(ollama, null, Duration.ofSeconds(10), Duration.ofSeconds(600),
                ProviderTestSupport.CLOCK);
        AttemptFailure failure = local.fromIo(new ConnectException("Connection refused"), false);
        assertThat(failure.retryable()).isFalse();
        assertThat(failure.error()).hasMessage("cannot connect to http://localhost:11434 (connection refused)");
        assertThat(failure.error().fix()).isEqualTo("is the server running and reachable? check base_url of provider "
                + "'ollama' in models.yaml (http://localhost:11434/v1)");
    }

    @Test
    void keylessProviderRefusedSaysToConfigureAKey() {
        ProviderConfig local = ProviderTestSupport.provider("vllm", ProviderType.OPENAI, "http://gpu:8000/v1", null);
        HttpErrorMapper keyless = new HttpErrorMapper(local, null, Duration.ofSeconds(10), Duration.ofSeconds(600),
                ProviderTestSupport.CLOCK);
        assertThat(keyless.fromResponse(401, headers(), "").error().fix()).contains("has no api_key_name");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            OPENAI    | an OpenAI-compatible API
            ANTHROPIC | an Anthropic-compatible API
            GEMINI    | a Gemini-compatible API
            """)
    void theFixNamesTheWireFormatWithTheArticleItsSoundTakes(ProviderType type, String api) {
        HttpErrorMapper errors = new HttpErrorMapper(ProviderTestSupport.provider("p", type, "http://127.0.0.1:9", "K"),
                null, Duration.ofSeconds(10), Duration.ofSeconds(600), ProviderTestSupport.CLOCK);
        assertThat(errors.malformed("an answer that is not JSON", "<html>").error().fix())
                .isEqualTo("check that base_url of provider 'p' (http://127.0.0.1:9) is " + api);
        assertThat(errors.tooLarge("an answer", 1024).error().fix()).endsWith(" is " + api);
    }
}
