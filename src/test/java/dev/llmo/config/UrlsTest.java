package dev.llmo.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UrlsTest {

    @Test
    void theUserInfoIsMasked() {
        assertThat(Urls.shown("http://proxyuser:PROXYPASS99@127.0.0.1:18080/v1?x=1#y"))
                .isEqualTo("http://***@127.0.0.1:18080/v1?x=1#y");
        assertThat(Urls.shown("https://TOKEN@example.org")).isEqualTo("https://***@example.org");
        assertThat(Urls.shown("https://me:p@ss@example.org/v1")).as("an unescaped '@' in the password")
                .isEqualTo("https://***@example.org/v1");
    }

    @Test
    void aUrlWithoutUserInfoIsShownAsItIs() {
        assertThat(Urls.shown("https://api.openai.com/v1")).isEqualTo("https://api.openai.com/v1");
        assertThat(Urls.shown("http://host/v1/users/a@b.org")).as("an '@' in the path")
                .isEqualTo("http://host/v1/users/a@b.org");
        assertThat(Urls.shown("api.openai.com")).isEqualTo("api.openai.com");
        assertThat(Urls.shown(null)).isNull();
    }

    @Test
    void aNamedUrlKeepsSchemeHostPortAndPathOnly() {
        assertThat(Urls.named("http://user:s3cretpw@127.0.0.1:18931/v1/models?token=abc123#top"))
                .isEqualTo("http://127.0.0.1:18931/v1/models");
        assertThat(Urls.named("https://example.org/a.pdf")).isEqualTo("https://example.org/a.pdf");
        assertThat(Urls.named("ftp://me:pw@host/f?sig=1")).as("not http(s)").isEqualTo("ftp://***@host/f");
        assertThat(Urls.named(null)).isNull();
    }
}
