package dev.llmo.provider;

import dev.llmo.provider.http.Transport;

/**
 * Every test of {@link OpenAiClientTest} with the calls through OkHttp, the way an {@code https} call (and a plain one
 * that llmo's own connection does not serve: behind a proxy, or with a large body) goes: the same answers, errors,
 * retries and pauses either way.
 */
class OpenAiClientOkHttpTest extends OpenAiClientTest {
    @Override
    Transport transport() {
        return super.transport().throughOkHttpOnly();
    }
}
