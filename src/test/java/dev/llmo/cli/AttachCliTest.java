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
}
