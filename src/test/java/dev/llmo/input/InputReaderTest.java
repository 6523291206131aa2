package dev.llmo.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.llmo.MockServers;
import dev.llmo.failure.FailureException;
import dev.llmo.failure.UsageException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InputReaderTest {
    @TempDir
    Path dir;

    private InputReader reader(String stdin) {
        return new InputReader(() -> new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), dir);
    }

    @Test
    void readsAFileRelativeToTheWorkingDirectory() throws Exception {
        Files.writeString(dir.resolve("notes.md"), "# notes");

        InputBytes input = reader("").read("notes.md", "-f", 100);

        assertThat(new String(input.bytes(), StandardCharsets.UTF_8)).isEqualTo("# notes");
        assertThat(input.name()).isEqualTo("notes.md");
        assertThat(input.declaredType()).isNull();
    }

    @Test
    void readsStdinForADash() {
        assertThat(reader("piped").read("-", "-a", 100).bytes()).asString().isEqualTo("piped");
    }

    @Test
    void refusesWhatIsLargerThanTheLimitWithoutReadingItAll() throws Exception {
        Files.write(dir.resolve("big.bin"), new byte[2048]);

        assertThatThrownBy(() -> reader("").read("big.bin", "-a", 1024))
                .isInstanceOf(UsageException.class).hasMessage("-a big.bin is larger than 1 KiB");
        assertThatThrownBy(() -> reader("x".repeat(2000)).read("-", "-f", 1024))
                .isInstanceOf(UsageException.class).hasMessage("-f - is larger than 1 KiB");
    }

    @Test
    void namesAMissingFileADirectoryAndAnUnsupportedScheme() {
        assertThatThrownBy(() -> reader("").read("nope.png", "-a", 10))
                .isInstanceOf(UsageException.class).hasMessage("-a nope.png: no such file");
        UsageException relative = catchThrowableOfType(() -> reader("").read("nope.png", "-a", 10), UsageException.class);
        assertThat(relative.fix()).startsWith("check the path (relative to ");
        UsageException absolute = catchThrowableOfType(() -> reader("").read("/nowhere/nope.png", "-a", 10),
                UsageException.class);
        assertThat(absolute.fix()).as("an absolute path is not relative to anything").isEqualTo("check the path");
        assertThatThrownBy(() -> reader("").read(".", "-a", 10))
                .isInstanceOf(UsageException.class).hasMessage("-a . is a directory");
        assertThatThrownBy(() -> reader("").read("ftp://example.org/a.txt", "-f", 10))
                .isInstanceOf(UsageException.class).hasMessageContaining("only http:// and https://");
    }

    @Test
    void fetchesAUrlWithItsDeclaredTypeAndNoHeadersOfTheUsers() throws Exception {
        try (MockWebServer server = MockServers.create()) {
            server.enqueue(new MockResponse().setBody("%PDF-1.7").setHeader("Content-Type", "application/PDF; x=1"));

            InputBytes input = reader("").read(server.url("/a.pdf").toString(), "-a", 100);

            assertThat(input.bytes()).asString().isEqualTo("%PDF-1.7");
            assertThat(input.declaredType()).isEqualTo("application/pdf");
            assertThat(server.takeRequest().getHeader("Authorization")).isNull();
        }
    }

    @Test
    void followsAnHttpRedirectButNeverOneToAnotherScheme() throws Exception {
        try (MockWebServer server = MockServers.create()) {
            server.enqueue(new MockResponse().setResponseCode(302).setHeader("Location", "/moved"));
            server.enqueue(new MockResponse().setBody("here"));
            server.enqueue(new MockResponse().setResponseCode(302).setHeader("Location", "file:///etc/passwd"));

            assertThat(reader("").read(server.url("/a").toString(), "-f", 100).bytes()).asString().isEqualTo("here");
            assertThatThrownBy(() -> reader("").read(server.url("/b").toString(), "-f", 100))
                    .isInstanceOf(FailureException.class).hasMessageContaining("answered HTTP 302");
        }
    }

    @Test
    void refusesAnErrorStatusAndAnOversizedBody() throws Exception {
        try (MockWebServer server = MockServers.create()) {
            server.enqueue(new MockResponse().setResponseCode(404));
            server.enqueue(new MockResponse().setBody("y".repeat(500)));

            assertThatThrownBy(() -> reader("").read(server.url("/x").toString(), "-f", 100))
                    .isInstanceOf(FailureException.class).hasMessageContaining("answered HTTP 404");
            assertThatThrownBy(() -> reader("").read(server.url("/y").toString(), "-f", 100))
                    .isInstanceOf(UsageException.class).hasMessageContaining("is larger than 100 bytes");
        }
    }

    /**
     * A password with an unescaped '/' makes OkHttp take its first piece for the host: the error names the URL
     * masked, and not the reason either, which would name that host.
     */
    @Test
    void aFetchThatFailsNamesNeitherThePasswordNorTheHostAPieceOfItBecame() throws Exception {
        int closed;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        String url = "http://127.0.0.1:" + closed + "/s3cr3t@files.example/doc.txt?sig=1";
        assertThatThrownBy(() -> reader("").read(url, "-a", 100)).isInstanceOf(FailureException.class)
                .hasMessageStartingWith("-a http://***@files.example/doc.txt: cannot fetch it (")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cr3t", "127.0.0.1", "sig"));
    }
}
