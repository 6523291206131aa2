package dev.llmo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The event log when the disk refuses a write, as a real process meets it: a file size limit ({@code ulimit -f},
 * RLIMIT_FSIZE; the JVM ignores SIGXFSZ, so the write fails with EFBIG) stops an append part-way, as a full disk
 * does.
 */
class LogWriteFailureIT {
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

    /** An append cut short leaves no torn line: the conversation still verifies and can be continued. */
    @Test
    void anAppendStoppedByTheFileSizeLimitLeavesTheLogWhole() throws Exception {
        server.enqueue(OpenAiAnswers.streamed("first answer"));
        BinaryRun.Result first = BinaryRun.in(home).run("run", "first question");
        assertThat(first.exitCode()).as(first.err()).isZero();
        Path log;
        try (Stream<Path> files = Files.list(home.resolve("llmo/conversations"))) {
            log = files.findFirst().orElseThrow();
        }
        String id = log.getFileName().toString().replace(".jsonl", "");
        long size = Files.size(log);
        byte[] before = Files.readAllBytes(log);

        // the limit lands within the next KiB; the question's message event alone is longer than that
        List<String> limited = new ArrayList<>(List.of("bash", "-c", "ulimit -f " + (size / 1024 + 1)
                + "; exec \"$0\" \"$@\"", BinaryRun.binary().toString(), "run", "--cid", id, "q".repeat(4000)));
        BinaryRun.Result full = BinaryRun.in(home).exec(limited);
        assertThat(full.exitCode()).as(full.err()).isEqualTo(1);
        assertThat(full.err()).startsWith("llmo: error: cannot write to " + log + ": the file reached the size limit")
                .contains("nothing was half-written").doesNotContain("Exception");
        assertThat(server.getRequestCount()).as("the question's event failed, so nothing was sent").isEqualTo(1);
        byte[] after = Files.readAllBytes(log);
        assertThat(after).as("whole lines only").endsWith((byte) '\n');
        assertThat(new String(after, 0, before.length, java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo(new String(before, java.nio.charset.StandardCharsets.UTF_8));

        BinaryRun.Result verify = BinaryRun.in(home).run("log", "verify", id);
        assertThat(verify.exitCode()).as(verify.out() + verify.err()).isZero();
        server.enqueue(OpenAiAnswers.streamed("third answer"));
        BinaryRun.Result next = BinaryRun.in(home).run("run", "--cid", id, "again");
        assertThat(next.exitCode()).as(next.err()).isZero();
        assertThat(next.out()).contains("third answer");
    }
}
