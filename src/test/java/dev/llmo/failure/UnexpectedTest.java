package dev.llmo.failure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import okhttp3.Request;
import org.junit.jupiter.api.Test;

class UnexpectedTest {

    /** OkHttp's own refusal, whose message quotes the value of every header but Authorization and cookies. */
    private static Throwable refusedHeader(String value) {
        return catchThrowable(() -> new Request.Builder().url("http://127.0.0.1/").header("x-api-key", value));
    }

    @Test
    void aRefusedHeaderValueIsNeverShown() {
        Throwable refused = refusedHeader("sk-ant-secret\u2026");
        assertThat(refused).as("OkHttp still quotes the value").hasMessageContaining("sk-ant-secret");

        assertThat(Unexpected.describe(refused)).isEqualTo("java.lang.IllegalArgumentException: Unexpected char 0x2026 "
                + "at 13 in x-api-key value (not shown)");
        assertThat(Unexpected.trace(new IllegalStateException("wrapped", refused))).contains("wrapped")
                .contains("Caused by: java.lang.IllegalArgumentException: Unexpected char 0x2026 at 13 in x-api-key "
                        + "value (not shown)").doesNotContain("sk-ant-secret");
    }

    @Test
    void aValueWithALineBreakIsLeftOutWhole() {
        Throwable refused = refusedHeader("sk-first\nsecond-half-of-the-secret");

        assertThat(Unexpected.describe(refused)).doesNotContain("sk-first").doesNotContain("second-half");
        assertThat(Unexpected.trace(refused)).doesNotContain("sk-first").doesNotContain("second-half");
    }

    @Test
    void otherMessagesAreShownAsTheyAre() {
        assertThat(Unexpected.describe(new IllegalStateException("no value here: x"))).isEqualTo(
                "java.lang.IllegalStateException: no value here: x");
        assertThat(Unexpected.describe(new NullPointerException())).isEqualTo("java.lang.NullPointerException");
    }
}
