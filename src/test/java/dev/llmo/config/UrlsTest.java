package dev.llmo.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UrlsTest {

    @Test
    void theUserInfoIsMasked() {
        assertThat(Urls.shown("http://proxyuser:PROXYPASS99@127.0.0.1:18080/v1?x=1#y"))
                .isEqualTo("http://***@127.0.0.1:18080/v1?x=1#y");
        assertThat(Urls.shown("https://TOKEN@example.org")).isEqualTo("https://***@example.org");
        assertThat(Urls.shown("https://me:p@ss@example.org/v1")).as("an unescaped '@' in the password")
                .isEqualTo("https://***@example.org/v1");
    }

    /** In a hand-written file a password may hold white space or a quote: none of it is shown either. */
    @Test
    void urlsInTextAreMaskedWhateverThePasswordHolds() {
        assertThat(Urls.shownIn("- https://me:my secret@example.test/doc.pdf\n"))
                .isEqualTo("- https://***@example.test/doc.pdf\n");
        assertThat(Urls.shownIn("url: \"https://me:it's \"so\" @x@example.test\"  # mine\nnext: 1\n"))
                .isEqualTo("url: \"https://***@example.test\"  # mine\nnext: 1\n");
        assertThat(Urls.shownIn("a: 'https://u:p w@h/x' b: http://v:q@i/y"))
                .isEqualTo("a: 'https://***@h/x' b: http://***@i/y");
        // what shown leaves alone stays as written
        assertThat(Urls.shownIn("see https://example.test/@team/a.pdf\nand /tmp/me@home/a.md\n"))
                .isEqualTo("see https://example.test/@team/a.pdf\nand /tmp/me@home/a.md\n");
        assertThat(Urls.shownIn("https://u:p#x@host/v1")).isEqualTo(Urls.shown("https://u:p#x@host/v1"));
        // a password is never cut short by a line of text after it: when in doubt, more is masked
        assertThat(Urls.shownIn("https://example.test/x then mail bob@example.org"))
                .isEqualTo("https://***@example.org");
    }

    /** Users type passwords unescaped: whatever the password holds, no part of it is shown. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "https://user:pa#ss@host/v1|https://***@host/v1",
        "https://u:p?x@h/v1|https://***@h/v1",
        "https://u:p/x@h/v1|https://***@h/v1",
        "https://u:p#x@host:8443/v1|https://***@host:8443/v1",
        "https://u:p@ss/w#x?y@host/v1?q=1|https://***@host/v1?q=1",
        "https://u:p#x@[::1]:8080/v1|https://***@[::1]:8080/v1",
        "https://u:p@[2001:db8::1]/v1|https://***@[2001:db8::1]/v1",
        "https://u:p#x@host|https://***@host",
        "https://u:p#x@|https://***@",
        "https://user:1234#x@host/v1|https://***@host/v1",
        "https://dGVz/dA+=@host/v1|https://***@host/v1",
        "https://u:p@host/models/@cf/x|https://***@host/models/@cf/x",
        "https://u:p#q@host/models/@cf/x|https://***@cf/x",
        "https://u:p/@host/v1|https://***@host/v1",
        "user:pa#ss@host/v1|***@host/v1",
        "//user:pa/ss@host/v1|//***@host/v1",
        "ftp://u:p#x@host/f|ftp://***@host/f",
        "http://host/v1/users/a@b.org|http://***@b.org",
        "https://u:p ss@host/v1|https://***@host/v1",
    })
    void everyShapeOfPasswordIsMasked(String url, String shown) {
        assertThat(Urls.shown(url)).isEqualTo(shown);
        assertThat(Urls.named(url)).doesNotContain("pa", "ss", "x@", "dGVz", "1234", "p@", "p/", "p#", "p?");
    }

    @Test
    void aUrlWithoutUserInfoIsShownAsItIs() {
        assertThat(Urls.shown("https://api.openai.com/v1")).isEqualTo("https://api.openai.com/v1");
        assertThat(Urls.shown("https://host:8443/models/@cf/x")).as("a path segment that begins with '@'")
                .isEqualTo("https://host:8443/models/@cf/x");
        assertThat(Urls.shown("https://medium.com/@someone/a-post")).isEqualTo("https://medium.com/@someone/a-post");
        assertThat(Urls.shown("http://[::1]:8080/@scope/pkg")).isEqualTo("http://[::1]:8080/@scope/pkg");
        assertThat(Urls.shown("api.openai.com")).isEqualTo("api.openai.com");
        assertThat(Urls.shown("not a url @ all")).isEqualTo("not a url @ all");
        assertThat(Urls.shown("")).isEmpty();
        assertThat(Urls.shown("@")).isEqualTo("***@");
        assertThat(Urls.shown(null)).isNull();
    }

    @Test
    void aNamedUrlKeepsSchemeHostPortAndPathOnly() {
        assertThat(Urls.named("http://user:s3cretpw@127.0.0.1:18931/v1/models?token=abc123#top"))
                .isEqualTo("http://127.0.0.1:18931/v1/models");
        assertThat(Urls.named("https://me:p@ss@example.org/v1?t=1")).isEqualTo("https://example.org/v1");
        assertThat(Urls.named("https://example.org/a.pdf")).isEqualTo("https://example.org/a.pdf");
        assertThat(Urls.named("https://medium.com/@someone/a-post?source=x"))
                .isEqualTo("https://medium.com/@someone/a-post");
        assertThat(Urls.named("ftp://me:pw@host/f?sig=1")).as("not http(s)").isEqualTo("ftp://***@host/f");
        assertThat(Urls.named("https://user:pa#ss@host/v1?sig=1")).isEqualTo("https://***@host/v1");
        assertThat(Urls.named("https://tok/en@host/v1")).as("an http parser reads host 'tok': the mask wins")
                .isEqualTo("https://***@host/v1");
        assertThat(Urls.named(null)).isNull();
    }
}
