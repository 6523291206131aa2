package dev.llmo.cli;

import static dev.llmo.OpenAiAnswers.streamed;
import static dev.llmo.cli.CliRunAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmo.eventlog.EventCodec;
import dev.llmo.eventlog.EventData;
import dev.llmo.failure.ExitCode;
import dev.llmo.message.Part;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code llmo run -a}: attachments read, typed from their content, stored once, sent and logged by reference. */
class AttachCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A 1x1 PNG. */
    static final byte[] PNG = Base64.getDecoder().decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
            + "+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==");

    @RegisterExtension
    final LlmoFixture llmo = LlmoFixture.create().openAiServer().configYaml("main_llm: mock/vision\n")
            .mockProvider("""
                    input: [text, image, pdf]
                    models:
                      - name: vision
                      - { name: texty, input: [text] }
                      - { name: listener, input: [text, audio] }
                    """);

    private Path file(String name, byte[] bytes) throws Exception {
        Path file = llmo.home().resolve(name);
        Files.write(file, bytes);
        return file;
    }

    private JsonNode sentBody() throws Exception {
        return JSON.readTree(llmo.server().takeRequest().getBody().readUtf8());
    }

    private List<Path> blobs() throws Exception {
        Path dir = llmo.dir().resolve("blobs/sha256");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.toList();
        }
    }

    @Test
    void anImageIsSentAsADataUrlTypedFromItsContentAndLoggedByReference() throws Exception {
        Path photo = file("photo.jpg", PNG); // the name says JPEG; the bytes are a PNG
        llmo.server().enqueue(streamed("A pixel."));

        assertThat(llmo.run("run", "-a", photo.toString(), "What is it?")).succeeded().outIs("A pixel.\n");

        JsonNode content = sentBody().path("messages").get(0).path("content");
        assertThat(content).hasSize(2);
        assertThat(content.get(0).toString()).isEqualTo("{\"type\":\"text\",\"text\":\"What is it?\"}");
        assertThat(content.get(1).path("image_url").path("url").asText())
                .isEqualTo("data:image/png;base64," + Base64.getEncoder().encodeToString(PNG));
        String sha = dev.llmo.io.ContentStore.sha256(PNG);
        assertThat(blobs()).containsExactly(llmo.dir().resolve("blobs/sha256/" + sha));
        EventData.Message user = llmo.onlyLogEvents().stream().map(EventCodec::decode)
                .filter(e -> e instanceof EventData.Message m && m.role() == dev.llmo.message.Role.USER)
                .map(EventData.Message.class::cast).findFirst().orElseThrow();
        assertThat(user.parts()).containsExactly(new Part.Text("What is it?"),
                new Part.Attachment("image/png", sha, photo.toString()));
    }

    @Test
    void aConversationThatSendsA5MbPdfEveryTurnGrowsItsLogByAReference() throws Exception {
        byte[] pdf = new byte[5 << 20];
        new Random(7).nextBytes(pdf);
        System.arraycopy("%PDF-1.7\n".getBytes(StandardCharsets.US_ASCII), 0, pdf, 0, 9);
        Path report = file("report.pdf", pdf);
        llmo.server().enqueue(streamed("One."));
        llmo.server().enqueue(streamed("Two."));
        llmo.server().enqueue(streamed("Three."));

        assertThat(llmo.run("run", "-a", report.toString(), "Summarise")).succeeded();
        long afterOne = Files.size(llmo.onlyLog());
        assertThat(llmo.run("run", "-c", "-a", report.toString(), "And page 2?")).succeeded();
        assertThat(llmo.run("run", "-c", "Shorter")).succeeded();

        for (int i = 0; i < 3; i++) {
            JsonNode body = sentBody();
            assertThat(body.toString().length()).as("request %d carries the PDF", i).isGreaterThan(5 << 20);
        }
        assertThat(afterOne).isLessThan(8_000);
        assertThat(Files.size(llmo.onlyLog())).as("three turns, two of them attaching 5 MB").isLessThan(24_000);
        assertThat(blobs()).as("the same bytes stored once").hasSize(1);
    }

    @Test
    void aModelThatCannotTakeTheTypeIsRefusedBeforeAnythingIsSent() throws Exception {
        Path photo = file("photo.png", PNG);

        CliRun.Result refused = llmo.run("run", "-m", "mock/texty", "-a", photo.toString(), "What is it?");

        assertThat(refused).failedWith(ExitCode.USAGE).errIs("llmo: error: mock/texty does not take image input "
                + "(image/png, attachment " + photo + "); use a model that does, e.g. -m mock/vision, -m openai/gpt-5, -m openai/gpt-5-mini\n");
        assertThat(llmo.server().getRequestCount()).isZero();
        assertThat(llmo.logs()).isEmpty();
        assertThat(blobs()).as("nothing stored for a refused run").isEmpty();
    }

    @Test
    void contentLlmoCannotTellNeedsAttachType() throws Exception {
        Path blob = file("data.bin", new byte[] {0, 1, 2, 3, (byte) 0xFE});

        assertThat(llmo.run("run", "-a", blob.toString(), "What is it?")).failedWith(ExitCode.USAGE)
                .errContains("cannot tell what it is from its content", "--attach-type image/png");

        llmo.server().enqueue(streamed("Raw bytes."));
        assertThat(llmo.run("run", "-a", blob.toString(), "--attach-type", "image/png", "What is it?")).succeeded();
        assertThat(sentBody().toString()).contains("data:image/png;base64,AAECA/4=");
    }

    @Test
    void aUrlIsNamedWithoutItsCredentialsOrQueryToTheModelAndInTheLog() throws Exception {
        llmo.server().enqueue(new okhttp3.mockwebserver.MockResponse().setBody("the notes"));
        llmo.server().enqueue(streamed("Read."));
        okhttp3.HttpUrl base = llmo.server().url("/docs/notes.txt");
        String url = "http://user:s3cretpw@" + base.host() + ":" + base.port() + "/docs/notes.txt?token=abc123";

        assertThat(llmo.run("run", "-a", url, "Summarise")).succeeded();

        assertThat(llmo.server().takeRequest().getRequestUrl().query()).as("fetched as given").isEqualTo("token=abc123");
        String sent = sentBody().path("messages").get(0).path("content").get(1).path("text").asText();
        assertThat(sent).isEqualTo("--- http://" + base.host() + ":" + base.port() + "/docs/notes.txt ---\nthe notes");
        assertThat(Files.readString(llmo.onlyLog())).doesNotContain("s3cretpw").doesNotContain("abc123");
    }

    @Test
    void forcedToTextBytesThatAreNotTextAreRefusedAsForAFragment() throws Exception {
        Path latin1 = file("latin1.txt", "caf\u00e9 na\u00efve".getBytes(StandardCharsets.ISO_8859_1));
        Path binary = file("data.bin", new byte[] {'a', 0, 1, 2, 'b'});

        CliRun.Result notUtf8 = llmo.run("run", "-a", latin1.toString(), "--attach-type", "text/plain", "x");
        CliRun.Result withNul = llmo.run("run", "-a", binary.toString(), "--attach-type", "text/plain", "x");

        assertThat(notUtf8).failedWith(ExitCode.USAGE).errIs("llmo: error: -a " + latin1 + " is not UTF-8 text (byte 3 "
                + "is not valid UTF-8); convert it first, e.g. iconv -f latin1 -t utf-8, or attach it without "
                + "--attach-type text/plain if it is not text\n");
        assertThat(withNul).failedWith(ExitCode.USAGE).errContains("-a " + binary + " is not text (it holds a NUL "
                + "byte");
        assertThat(llmo.server().getRequestCount()).isZero();
        assertThat(blobs()).isEmpty();
    }

    @Test
    void textFromStdinIsATextPartNamingIt() throws Exception {
        llmo.server().enqueue(streamed("Noted."));

        assertThat(llmo.cli().stdin("line one\nline two\n").run("run", "-a", "-", "Summarise")).succeeded();

        assertThat(sentBody().path("messages").get(0).path("content").toString()).isEqualTo("[{\"type\":\"text\","
                + "\"text\":\"Summarise\"},{\"type\":\"text\",\"text\":\"--- sha256:"
                + dev.llmo.io.ContentStore.sha256("line one\nline two\n".getBytes(StandardCharsets.UTF_8))
                .substring(0, 12) + " ---\\nline one\\nline two\\n\"}]");
    }

    @Test
    void aMissingFileIsAUsageError() {
        assertThat(llmo.run("run", "-a", "nope.png", "hi")).failedWith(ExitCode.USAGE)
                .errContains("-a nope.png: no such file");
        assertThat(llmo.logs()).isEmpty();
    }

    @Test
    void anUnknownInputKindInModelsYamlIsAConfigurationError() {
        llmo.mockProvider("models:\n  - { name: m1, input: [text, video] }");

        assertThat(llmo.run("models")).failedWith(ExitCode.CONFIG).errContains("models.yaml:", "unknown input kind "
                + "'video' in 'input' of model 'mock/m1'", "the kinds are text, image, pdf, audio");
    }

    @Test
    void chatAttachAddsTheFileToTheNextMessageOnly() throws Exception {
        Path photo = file("photo.png", PNG);
        llmo.server().enqueue(streamed("A pixel."));
        llmo.server().enqueue(streamed("Still a pixel."));

        CliRun.Result chat = llmo.cli().stdin("/attach " + photo + "\n/attach\nWhat is it?\nAnd now?\n")
                .run("chat");

        assertThat(chat).succeeded().outContains("Attached to your next message: " + photo + " (image/png)",
                "A pixel.", "Still a pixel.");
        JsonNode first = sentBody().path("messages");
        assertThat(first.get(0).path("content").get(1).path("type").asText()).isEqualTo("image_url");
        JsonNode second = sentBody().path("messages");
        assertThat(second.get(0).path("content").get(1).path("type").asText()).as("the history keeps it")
                .isEqualTo("image_url");
        assertThat(second.get(2).path("content").asText()).as("not attached again").isEqualTo("And now?");
    }

    @Test
    void chatAttachRefusesATypeTheModelCannotTake() throws Exception {
        Path photo = file("photo.png", PNG);

        CliRun.Result chat = llmo.cli().stdin("/attach " + photo + "\n").run("chat", "-m", "mock/texty");

        assertThat(chat.err()).contains("mock/texty does not take image input");
        assertThat(llmo.server().getRequestCount()).isZero();
    }

    @Test
    void aChainStepAttachesItsFilesToItsPrompt() throws Exception {
        Path photo = file("chart.png", PNG);
        llmo.configYaml("""
                main_llm: mock/vision
                chains:
                  look:
                    steps:
                      - { name: describe, prompt: "Describe: {{input}}", attach: [%s] }
                      - { name: shorten, prompt: "Shorten: {{describe}}" }
                  blind:
                    steps:
                      - { name: describe, model: mock/texty, prompt: "{{input}}", attach: [%s] }
                """.formatted(photo, photo));
        llmo.server().enqueue(streamed("A chart."));
        llmo.server().enqueue(streamed("Chart."));

        assertThat(llmo.run("chain", "run", "look", "the sales")).succeeded().outContains("Chart.");

        JsonNode first = sentBody().path("messages").get(0).path("content");
        assertThat(first.get(0).path("text").asText()).isEqualTo("Describe: the sales");
        assertThat(first.get(1).path("type").asText()).isEqualTo("image_url");
        assertThat(sentBody().path("messages").get(0).path("content").asText()).isEqualTo("Shorten: A chart.");

        JsonNode plan = JSON.readTree(llmo.run("chain", "run", "look", "--dry-run", "--json", "the sales").out()
                .lines().findFirst().orElseThrow());
        assertThat(plan.path("step").asText()).isEqualTo("describe");
        assertThat(plan.path("input_tokens").asLong()).as("the prompt and the image").isGreaterThan(255);
        assertThat(llmo.run("chain", "run", "blind", "x")).failedWith(ExitCode.USAGE)
                .errContains("mock/texty does not take image input");
        assertThat(llmo.server().getRequestCount()).isEqualTo(2);
    }

    @Test
    void logReplayRebuildsEveryBodyFromTheBlobs() throws Exception {
        Path photo = file("photo.png", PNG);
        llmo.server().enqueue(streamed("A pixel."));
        llmo.server().enqueue(streamed("Red."));
        assertThat(llmo.run("run", "-a", photo.toString(), "What is it?")).succeeded();
        assertThat(llmo.run("run", "-c", "Which colour?")).succeeded();
        int sent = llmo.server().getRequestCount();

        CliRun.Result replay = llmo.cli().env("MOCK_API_KEY", null).run("log", "replay", llmo.onlyId());

        assertThat(replay).succeeded().outIs("A pixel.\nRed.\n");
        assertThat(replay.err()).contains("every request matched its recorded digest");
        assertThat(llmo.server().getRequestCount()).isEqualTo(sent);
    }

    @Test
    void logVerifyFindsAChangedAndAMissingBlobNamingItAndItsEvent() throws Exception {
        Path photo = file("photo.png", PNG);
        llmo.server().enqueue(streamed("A pixel."));
        assertThat(llmo.run("run", "-a", photo.toString(), "What is it?")).succeeded();
        String sha = dev.llmo.io.ContentStore.sha256(PNG);
        Path blob = llmo.dir().resolve("blobs/sha256/" + sha);
        assertThat(llmo.run("log", "verify", llmo.onlyId())).succeeded().outContains("ok  " + llmo.onlyId());

        byte[] changed = PNG.clone();
        changed[changed.length - 1] ^= 1;
        Files.write(blob, changed);
        CliRun.Result afterChange = llmo.run("log", "verify", llmo.onlyId());
        assertThat(afterChange).failedWith(ExitCode.LOG_INVALID).outContains("FAILED  " + llmo.onlyId()
                + "  attachment sha256:" + sha + " of event 1 was changed in the content store")
                .errContains("attachment sha256:" + sha + " of event 1 was changed");

        Files.delete(blob);
        assertThat(llmo.run("log", "verify", "--all")).failedWith(ExitCode.LOG_INVALID)
                .outContains("attachment sha256:" + sha + " of event 1 is missing from the content store");
        assertThat(llmo.cli().env("MOCK_API_KEY", null).run("log", "replay", llmo.onlyId()))
                .failedWith(ExitCode.LOG_INVALID).errContains("is missing from the content store");
    }

    @Test
    void logShowAndExportNameTheAttachments() throws Exception {
        Path photo = file("photo.png", PNG);
        llmo.server().enqueue(streamed("A pixel."));
        assertThat(llmo.run("run", "-a", photo.toString(), "What is it?")).succeeded();
        String sha = dev.llmo.io.ContentStore.sha256(PNG);

        assertThat(llmo.run("log", "show", llmo.onlyId())).succeeded()
                .outContains("[attachment image/png " + PNG.length + " bytes sha256:" + sha + " " + photo + "]");
        assertThat(llmo.run("log", "export", llmo.onlyId())).succeeded()
                .outContains("Attachment `" + photo + "` (image/png, " + PNG.length + " bytes, sha256:" + sha + ")");
        JsonNode json = JSON.readTree(llmo.run("log", "export", llmo.onlyId(), "--format", "json").out());
        assertThat(json.path("attachments").toString()).isEqualTo("[{\"media_type\":\"image/png\",\"name\":\""
                + photo + "\",\"sha256\":\"" + sha + "\",\"bytes\":" + PNG.length + "}]");
    }

    @Test
    void dryRunCountsTheAttachments() throws Exception {
        Path photo = file("photo.png", PNG);

        JsonNode without = JSON.readTree(llmo.run("run", "--dry-run", "--json", "-m", "openai/gpt-4o", "What is it?")
                .out());
        JsonNode with = JSON.readTree(llmo.run("run", "--dry-run", "--json", "-m", "openai/gpt-4o", "-a",
                photo.toString(), "What is it?").out());

        // a 1x1 image: one 512-pixel tile, 85 + 170 tokens
        assertThat(with.path("input_tokens").asLong() - without.path("input_tokens").asLong()).isEqualTo(255);
        assertThat(llmo.server().getRequestCount()).isZero();
        assertThat(blobs()).as("a dry run writes nothing").isEmpty();
    }

    @Test
    void withNoLogTheAttachmentIsSentFromMemoryAndNothingIsWritten() throws Exception {
        Path photo = file("photo.png", PNG);
        llmo.server().enqueue(streamed("A pixel."));

        assertThat(llmo.run("run", "--no-log", "-a", photo.toString(), "What is it?")).succeeded().outIs("A pixel.\n");

        assertThat(sentBody().path("messages").get(0).path("content").get(1).path("type").asText())
                .isEqualTo("image_url");
        assertThat(llmo.logs()).isEmpty();
        assertThat(blobs()).isEmpty();
    }

    @Test
    void fragmentsComeBeforeThePromptAndAttachmentsAfterIt() throws Exception {
        Path photo = file("photo.png", PNG);
        Path notes = file("notes.md", "# Notes\n".getBytes(StandardCharsets.UTF_8));
        llmo.server().enqueue(streamed("A pixel."));

        assertThat(llmo.run("run", "-f", notes.toString(), "-a", photo.toString(), "What is it?")).succeeded();

        JsonNode content = sentBody().path("messages").get(0).path("content");
        assertThat(content).hasSize(3);
        assertThat(content.get(0).path("text").asText()).contains("# Notes");
        assertThat(content.get(1).path("text").asText()).isEqualTo("What is it?");
        assertThat(content.get(2).path("type").asText()).isEqualTo("image_url");
    }
}
