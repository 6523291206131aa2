package dev.llmo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A line far longer than any event (junk appended to a conversation) in a small heap: it is a broken line of that
 * conversation, read without being held, and every other conversation is listed as before.
 */
class LogLineBoundIT {
    @TempDir
    Path home;
    private MockWebServer server;

    @BeforeEach
    void start() throws Exception {
        server = MockServers.create();
        server.start();
        Path dir = Files.createDirectories(home.resolve("llmo"));
        Files.writeString(dir.resolve("models.yaml"), "mock:\n  type: openai\n  base_url: " + server.url("/v1")
                + "\n  models: [m1]\n");
        Files.writeString(dir.resolve("config.yaml"), "main_llm: mock/m1\n");
    }

    @AfterEach
    void stop() throws Exception {
        server.shutdown();
    }

    @Test
    void aHugeJunkLineBreaksItsConversationOnlyAndIsNotHeldInMemory() throws Exception {
        for (String prompt : List.of("the clean one", "the one with junk")) {
            server.enqueue(OpenAiAnswers.streamed("answer"));
            BinaryRun.Result run = BinaryRun.in(home).run("run", prompt);
            assertThat(run.exitCode()).as(run.err()).isZero();
        }
        List<Path> logs;
        try (Stream<Path> files = Files.list(home.resolve("llmo/conversations"))) {
            logs = files.sorted().toList();
        }
        String clean = logs.get(0).getFileName().toString().replace(".jsonl", "");
        String junk = logs.get(1).getFileName().toString().replace(".jsonl", "");
        long junkLength = 300L << 20;
        try (RandomAccessFile file = new RandomAccessFile(logs.get(1).toFile(), "rw")) {
            // a sparse run of NUL bytes: 300 MiB of line for the reader, nothing on disk
            file.setLength(file.length() + junkLength);
            file.seek(file.length());
            file.write('\n');
        }

        BinaryRun small = BinaryRun.in(home).env("JAVA_TOOL_OPTIONS", "-Xmx96m");
        BinaryRun.Result list = small.run("log", "list");
        assertThat(list.exitCode()).as(list.err()).isZero();
        assertThat(list.out()).contains(clean, junk, "the clean one", "the one with junk");
        assertThat(list.err()).contains("llmo: note: " + junk + ": 1 line longer than any event skipped; run "
                + "'llmo log verify " + junk + "'");

        BinaryRun.Result verify = small.run("log", "verify", junk);
        assertThat(verify.exitCode()).as(verify.err()).isEqualTo(6);
        assertThat(verify.out()).startsWith("FAILED  " + junk + "  line ")
                .contains("malformed: the line is " + junkLength + " bytes long, more than the 128 MiB an event may have");
        BinaryRun.Result show = small.run("log", "show", junk);
        assertThat(show.exitCode()).as(show.err()).isEqualTo(6);
        assertThat(show.out()).contains("the one with junk");
        assertThat(small.run("log", "verify", clean).exitCode()).isZero();
    }
}
