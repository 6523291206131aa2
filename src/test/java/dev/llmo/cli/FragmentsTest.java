package dev.llmo.cli;

import static dev.llmo.OpenAiAnswers.streamed;
import static dev.llmo.cli.CliRunAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmo.MockServers;
import dev.llmo.failure.ExitCode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code -f} and {@code --sf}: text from files, URLs and stdin, stored once by hash and referenced from the log. */
class FragmentsTest {
    @RegisterExtension
    final LlmoFixture llmo = LlmoFixture.create().openAiServer()
            .mockProvider("""
                    models:
                      - name: m1
                        max_output_tokens: 1000
                    """)
            .configYaml("main_llm: mock/m1\n");

    private JsonNode body() throws Exception {
        RecordedRequest request = llmo.server().takeRequest();
        return new ObjectMapper().readTree(request.getBody().readUtf8());
    }

    private Path write(String name, String text) throws Exception {
        return Files.writeString(llmo.home().resolve(name), text);
    }

    private long blobs() throws Exception {
        Path dir = llmo.dir().resolve("blobs/sha256");
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.count();
        }
    }

    @Test
    void stdinNamedTwiceByAnyFlagsIsOneUsageError() {
        String[][] runs = {{"-f", "-", "-f", "-"}, {"-a", "-", "-f", "-"}, {"-a", "-", "-a", "-"}, {"-f", "-", "--sf",
                "-", "-a", "-"}};
        String[] errors = {"-f - is given twice", "-f - and -a - both read stdin", "-a - is given twice",
                "-f - and --sf - and -a - all read stdin"};
        for (int i = 0; i < runs.length; i++) {
            String[] args = Stream.concat(Stream.concat(Stream.of("run"), Stream.of(runs[i])), Stream.of("x"))
                    .toArray(String[]::new);
            assertThat(llmo.cli().stdin("hi\n").run(args)).failedWith(ExitCode.USAGE).errIs("llmo: error: "
                    + errors[i] + ", but stdin can be read once; give - once, and save the other input to a file to "
                    + "give its path\n");
        }
        assertThat(llmo.server().getRequestCount()).isZero();
    }

    @Test
    void aFileFragmentIsSentBeforeThePromptAndLoggedByReference() throws Exception {
        write("notes.md", "The deadline is Friday.");
        llmo.server().enqueue(streamed("Friday."));

        assertThat(llmo.run("run", "-f", "notes.md", "When is the deadline?")).succeeded().outIs("Friday.\n");

        JsonNode content = body().at("/messages/0/content");
        assertThat(content.get(0).path("text").asText()).isEqualTo("--- notes.md ---\nThe deadline is Friday.");
        assertThat(content.get(1).path("text").asText()).isEqualTo("When is the deadline?");
        String log = Files.readString(llmo.logs().get(0));
        assertThat(log).doesNotContain("The deadline is Friday.").contains("notes.md");
        assertThat(blobs()).isOne();
    }

    @Test
    void theSameLargeFragmentOnEveryTurnGrowsTheLogByAReference() throws Exception {
        write("big.txt", "All work and no play makes Jack a dull boy.\n".repeat(5_000)); // 220 KB
        llmo.server().enqueue(streamed("one"));
        llmo.server().enqueue(streamed("two"));

        assertThat(llmo.run("run", "-f", "big.txt", "first")).succeeded();
        long first = Files.size(llmo.logs().get(0));
        assertThat(llmo.run("run", "-c", "-f", "big.txt", "second")).succeeded();
        long second = Files.size(llmo.logs().get(0));

        assertThat(llmo.logs()).hasSize(1);
        assertThat(first).isLessThan(10_000);
        assertThat(second - first).isLessThan(10_000);
        assertThat(blobs()).isOne();
        body();
        // the second request carries the first turn's fragment again, and its own
        assertThat(body().at("/messages/2/content/0/text").asText()).startsWith("--- big.txt ---\nAll work");
        assertThat(llmo.run("log", "verify")).succeeded();
    }

    @Test
    void aUrlFragmentIsFetchedWithoutAnyKey() throws Exception {
        try (MockWebServer web = MockServers.create()) {
            web.start();
            web.enqueue(new MockResponse().setResponseCode(302).setHeader("Location", web.url("/spec.txt")));
            web.enqueue(new MockResponse().setBody("The spec says 42.").setHeader("Content-Type", "text/plain"));
            llmo.server().enqueue(streamed("42"));
            String url = web.url("/old-spec").toString();

            assertThat(llmo.run("run", "-f", url, "What does the spec say?")).succeeded();

            assertThat(body().at("/messages/0/content/0/text").asText())
                    .isEqualTo("--- " + url + " ---\nThe spec says 42.");
            RecordedRequest fetched = web.takeRequest();
            assertThat(fetched.getHeader("Authorization")).isNull();
            assertThat(fetched.getHeaders().toString()).doesNotContain(LlmoFixture.KEY);
            assertThat(web.takeRequest().getPath()).isEqualTo("/spec.txt");
        }
    }

    @Test
    void stdinIsAFragmentAndThePromptIsTheWords() throws Exception {
        llmo.server().enqueue(streamed("ok"));

        assertThat(llmo.cli().stdin("diff --git a b\n").run("run", "-f", "-", "Review this")).succeeded();

        JsonNode content = body().at("/messages/0/content");
        assertThat(content.get(0).path("text").asText()).isEqualTo("--- stdin ---\ndiff --git a b\n");
        assertThat(content.get(1).path("text").asText()).isEqualTo("Review this");
    }

    @Test
    void aSystemFragmentJoinsTheSystemPrompt() throws Exception {
        write("style.md", "Use British spelling.");
        llmo.server().enqueue(streamed("ok"));

        assertThat(llmo.run("run", "-s", "Be brief.", "--sf", "style.md", "Colour?")).succeeded();

        JsonNode messages = body().path("messages");
        assertThat(messages.at("/0/content").asText()).isEqualTo("Be brief.\n\n--- style.md ---\nUse British spelling.");
        assertThat(messages.at("/1/content").asText()).isEqualTo("Colour?");
    }

    @Test
    void nonUtf8InputIsRefusedWithOneLine() throws Exception {
        Files.write(llmo.home().resolve("latin1.txt"), "caf\u00e9".getBytes(StandardCharsets.ISO_8859_1));

        CliRun.Result fragment = llmo.run("run", "-f", "latin1.txt", "hi");
        assertThat(fragment).failedWith(ExitCode.USAGE)
                .errContains("-f latin1.txt is not UTF-8 text (byte 3 is not valid UTF-8)", "iconv");
        assertThat(fragment.err().lines()).hasSize(1);

        CliRun.Result stdin = llmo.cli().stdin(new byte[] {'a', (byte) 0xff})
                .run("run", "summarise");
        assertThat(llmo.server().getRequestCount()).isZero();
        assertThat(stdin).failedWith(ExitCode.USAGE).errContains("stdin is not UTF-8 text");
    }

    @Test
    void aMissingFileIsAUsageError() {
        assertThat(llmo.run("run", "-f", "nope.md", "hi")).failedWith(ExitCode.USAGE).errContains("nope.md",
                "no such file");
        assertThat(llmo.run("run", "-f", "ftp://example.org/x", "hi")).failedWith(ExitCode.USAGE)
                .errContains("only http:// and https://");
    }

    @Test
    void noLogPutsFragmentsIntoTheTextAndStoresNothing() throws Exception {
        write("notes.md", "secret notes");
        llmo.server().enqueue(streamed("ok"));

        assertThat(llmo.run("run", "--no-log", "-f", "notes.md", "sum up")).succeeded();

        assertThat(body().at("/messages/0/content").asText()).isEqualTo("--- notes.md ---\nsecret notes\n\nsum up");
        assertThat(llmo.dir().resolve("blobs")).doesNotExist();
        assertThat(llmo.conversations()).doesNotExist();
    }

    @Test
    void aTemplateKeepsItsFragments() throws Exception {
        write("style.md", "Answer in French.");
        write("notes.md", "Meeting at noon.");
        assertThat(llmo.run("run", "--save", "fr", "--sf", "style.md", "-f", "notes.md", "When?")).succeeded();
        assertThat(llmo.run("templates", "show", "fr")).outContains("fragments:", "notes.md", "system_fragments:");
        llmo.server().enqueue(streamed("A midi."));

        assertThat(llmo.run("run", "-t", "fr")).succeeded();

        JsonNode messages = body().path("messages");
        assertThat(messages.at("/0/content").asText()).isEqualTo("--- style.md ---\nAnswer in French.");
        assertThat(messages.at("/1/content/0/text").asText()).isEqualTo("--- notes.md ---\nMeeting at noon.");
        assertThat(messages.at("/1/content/1/text").asText()).isEqualTo("When?");
    }
}
