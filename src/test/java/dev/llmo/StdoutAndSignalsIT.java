package dev.llmo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.llmo.cli.CliRun;
import dev.llmo.eventlog.Event;
import dev.llmo.eventlog.EventLog;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The built binary when its output goes nowhere: a closed pipe (exit 141, the request cancelled at once), a full
 * device (exit 1), SIGTERM (143) and SIGHUP (129), and running out of memory (exit 1, never a hang). Each time the
 * event log says what happened, and verifies and replays.
 */
class StdoutAndSignalsIT {
    @TempDir
    Path home;
    private SseServer server;

    @BeforeEach
    void start() throws IOException {
        server = new SseServer();
        Path dir = Files.createDirectories(home.resolve("llmo"));
        Files.writeString(dir.resolve("models.yaml"), """
                mock:
                  type: openai
                  base_url: http://127.0.0.1:%d/v1
                  api_key_name: MOCK_API_KEY
                  default_model: m1
                """.formatted(server.port()));
        Files.writeString(dir.resolve("config.yaml"), "main_llm: mock/m1\n");
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    private ProcessBuilder llmo(String... args) {
        List<String> command = new ArrayList<>(List.of(BinaryRun.binary().toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectInput(new File("/dev/null"));
        builder.environment().put("HOME", home.toString());
        builder.environment().put("LLMO_HOME", home.resolve("llmo").toString());
        builder.environment().put("LLMO_SYSTEM_CONFIG_DIR", home.resolve("etc").toString());
        builder.environment().putAll(BinaryRun.startUpArchive());
        builder.environment().put("LLMO_MAX_RETRIES", "0");
        builder.environment().put("MOCK_API_KEY", "sk-it-secret");
        builder.environment().remove("LLMO_MODEL");
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        return builder;
    }

    private Path onlyLog() throws IOException {
        try (Stream<Path> files = Files.list(home.resolve("llmo/conversations"))) {
            return files.findFirst().orElseThrow();
        }
    }

    /**
     * The log's last three events are the partial response, the error and session.end, and it verifies and replays,
     * ending with the run's exit code (in process: what is checked is the log the binary left, not the binary again).
     */
    private void assertLogEndsWith(String kind, String status, int exitCode) throws Exception {
        Path log = onlyLog();
        String id = log.getFileName().toString().replace(".jsonl", "");
        CliRun cli = CliRun.in(home).env("MOCK_API_KEY", "unused");
        assertThat(cli.run("log", "verify", id).exitCode()).isZero();
        CliRun.Result replay = cli.run("log", "replay", id);
        assertThat(replay.exitCode()).as(replay.err()).isEqualTo(exitCode); // the run's end, reproduced
        assertThat(replay.out()).startsWith("line 0\n");

        List<Event> events = EventLog.read(log);
        assertThat(events.stream().map(Event::type)).endsWith("response", "error", "session.end");
        Event response = events.get(events.size() - 3);
        assertThat(response.data().get("complete").asBoolean()).isFalse();
        assertThat(dev.llmo.eventlog.Logged.text(response)).startsWith("line 0\n");
        assertThat(events.get(events.size() - 2).data().get("kind").asText()).isEqualTo(kind);
        Event end = events.get(events.size() - 1);
        assertThat(end.data().get("status").asText()).isEqualTo(status);
        assertThat(end.data().get("exit_code").asInt()).isEqualTo(exitCode);
    }

    @Test
    void aReaderThatClosesStdoutCancelsTheRequestAtOnceAndExits141() throws Exception {
        Process process = llmo("run", "hi").start();
        StreamDrain err = new StreamDrain(process.getErrorStream());
        InputStream out = process.getInputStream();
        String first = new BufferedReader(new InputStreamReader(out, StandardCharsets.UTF_8)).readLine();
        assertThat(first).isEqualTo("line 0");
        out.close(); // what `| head -1` does after its line

        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("llmo ended").isTrue();
        assertThat(process.exitValue()).isEqualTo(141);
        assertThat(err.text()).as("silent, as a tool killed by SIGPIPE").isEmpty();
        assertThat(server.awaitEnd()).as("the server saw the connection closed before the end of its answer")
                .isEqualTo(SseServer.End.CLOSED_BY_CLIENT);
        assertLogEndsWith("stdout_closed", "stdout_closed", 141);
    }

    @Test
    void aFullDeviceOnStdoutIsExit1WithOneLine() throws Exception {
        Process process = llmo("run", "hi").redirectOutput(new File("/dev/full")).start();
        StreamDrain err = new StreamDrain(process.getErrorStream());

        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("llmo ended").isTrue();
        assertThat(process.exitValue()).isEqualTo(1);
        assertThat(err.text()).isEqualTo("llmo: error: cannot write to stdout: No space left on device; check where "
                + "stdout goes (free space, the file or device it is redirected to)\n");
        assertThat(server.awaitEnd()).isEqualTo(SseServer.End.CLOSED_BY_CLIENT);
        List<Event> events = EventLog.read(onlyLog());
        assertThat(events.stream().map(Event::type)).endsWith("response", "error", "session.end");
        assertThat(events.get(events.size() - 1).data().get("exit_code").asInt()).isEqualTo(1);
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"--version", "-V", "run --version"})
    void theVersionToAFullDeviceIsExit1WithOneLineAsEveryCommandIs(String args) throws Exception {
        Process process = llmo(args.split(" ")).redirectOutput(new File("/dev/full")).start();
        StreamDrain err = new StreamDrain(process.getErrorStream());

        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("llmo ended").isTrue();
        assertThat(process.exitValue()).isEqualTo(1);
        assertThat(err.text()).isEqualTo("llmo: error: cannot write to stdout: No space left on device; check where "
                + "stdout goes (free space, the file or device it is redirected to)\n");
    }

    @ParameterizedTest
    @CsvSource({"TERM, 143, terminated, terminated (SIGTERM)", "HUP, 129, hangup, hung up (SIGHUP)"})
    void aSignalCancelsTheRequestAndTheLogSaysWhichItWas(String signal, int exitCode, String status, String how)
            throws Exception {
        Process process = llmo("run", "hi").start();
        StreamDrain out = new StreamDrain(process.getInputStream());
        StreamDrain err = new StreamDrain(process.getErrorStream());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!out.soFar().contains("line 0") && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(out.soFar()).as("the first text arrived").startsWith("line 0\n");

        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("llmo ended").isTrue();

        assertThat(process.exitValue()).isEqualTo(exitCode);
        assertThat(err.text()).isEqualTo("llmo: error: " + how + ": the request to mock was cancelled\n");
        assertThat(server.awaitEnd()).isEqualTo(SseServer.End.CLOSED_BY_CLIENT);
        assertLogEndsWith(status, status, exitCode);
    }

    @ParameterizedTest
    @CsvSource({"TERM, 143, terminated", "HUP, 129, hangup"})
    void aSignalDuringAChainEndsEachCallAsTheSignalWas(String signal, int exitCode, String status) throws Exception {
        Files.writeString(home.resolve("llmo/config.yaml"), """
                main_llm: mock/m1
                chains:
                  one:
                    steps:
                      - { name: answer, model: mock/m1, prompt: "{{input}}" }
                """);
        Process process = llmo("chain", "run", "one", "x").start();
        StreamDrain out = new StreamDrain(process.getInputStream());
        StreamDrain err = new StreamDrain(process.getErrorStream());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!out.soFar().contains("line 0") && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(out.soFar()).as("the first text arrived").startsWith("line 0\n");

        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("llmo ended").isTrue();

        assertThat(process.exitValue()).as(err.text()).isEqualTo(exitCode);
        assertThat(server.awaitEnd()).isEqualTo(SseServer.End.CLOSED_BY_CLIENT);
        // the call's error kind too, not only session.end
        assertLogEndsWith(status, status, exitCode);
    }

    @ParameterizedTest
    @CsvSource({"TERM, 143, terminated", "HUP, 129, hangup"})
    void aSignalDuringAChatAnswerEndsTheConversationAsTheSignalWas(String signal, int exitCode, String status)
            throws Exception {
        Process process = llmo("chat").redirectInput(ProcessBuilder.Redirect.PIPE).start();
        StreamDrain out = new StreamDrain(process.getInputStream());
        StreamDrain err = new StreamDrain(process.getErrorStream());
        process.getOutputStream().write("hi\n".getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().flush(); // stdin stays open: the session waits for more
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!out.soFar().contains("line 0") && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(out.soFar()).as("the first text arrived").startsWith("line 0\n");

        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("llmo ended").isTrue();

        assertThat(process.exitValue()).as(err.text()).isEqualTo(exitCode);
        assertThat(server.awaitEnd()).isEqualTo(SseServer.End.CLOSED_BY_CLIENT);
        assertLogEndsWith(status, status, exitCode);
    }

    @Test
    void runningOutOfMemoryEndsTheProcessWithOneLineAndExit1() throws Exception {
        server.bigDeltas();
        ProcessBuilder builder = llmo("run", "hi").redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().put("JAVA_TOOL_OPTIONS", "-Xmx32m");
        Process process = builder.start();
        StreamDrain err = new StreamDrain(process.getErrorStream());

        boolean ended = process.waitFor(90, TimeUnit.SECONDS);
        if (!ended) {
            process.destroyForcibly();
        }
        assertThat(ended).as("llmo ended (0.1.0 hung with the main thread waiting)").isTrue();
        assertThat(process.exitValue()).isEqualTo(1);
        // the JVM says it picked up JAVA_TOOL_OPTIONS; then llmo's one line, no stack trace
        assertThat(err.text().lines().filter(line -> !line.startsWith("Picked up JAVA_TOOL_OPTIONS")))
                .singleElement().asString().startsWith("llmo: error: out of memory; ");
    }

    /**
     * An OpenAI-compatible server on a plain socket, because it must see its client go: it streams one short delta
     * every 100 ms for at most a minute (or, after {@link #bigDeltas()}, 64 KiB deltas as fast as it can, 256 MiB at
     * most), and records whether the client closed the connection before the end.
     */
    private static final class SseServer implements AutoCloseable {
        enum End { FINISHED, CLOSED_BY_CLIENT }

        private final ServerSocket socket = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        private final CountDownLatch ended = new CountDownLatch(1);
        private final Thread thread;
        private volatile boolean big;
        private volatile End end;

        SseServer() throws IOException {
            thread = new Thread(this::serve, "sse-server");
            thread.setDaemon(true);
            thread.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        void bigDeltas() {
            big = true;
        }

        End awaitEnd() throws InterruptedException {
            assertThat(ended.await(60, TimeUnit.SECONDS)).as("the server's answer ended").isTrue();
            return end;
        }

        private void serve() {
            try (Socket client = socket.accept()) {
                readRequest(client.getInputStream());
                OutputStream out = client.getOutputStream();
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n"
                        + "\r\n").getBytes(StandardCharsets.US_ASCII));
                try {
                    int events = big ? 4096 : 600;
                    byte[] bigEvent = event("x".repeat(65536));
                    for (int i = 0; i < events; i++) {
                        chunk(out, big ? bigEvent : event("line " + i + "\n"));
                        if (!big) {
                            Thread.sleep(100);
                        }
                    }
                    chunk(out, "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII));
                    out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    end = End.FINISHED;
                } catch (IOException e) {
                    end = End.CLOSED_BY_CLIENT;
                }
            } catch (IOException | InterruptedException e) {
                // closed by the test
            } finally {
                ended.countDown();
            }
        }

        private static byte[] event(String text) {
            return ("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":" + TextNode.valueOf(text)
                    + "},\"finish_reason\":null}]}\n\n").getBytes(StandardCharsets.UTF_8);
        }

        private static void chunk(OutputStream out, byte[] data) throws IOException {
            out.write((Integer.toHexString(data.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(data);
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        /** Reads the headers and the body of one request. */
        private static void readRequest(InputStream in) throws IOException {
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("the request ended early");
                }
                head.append((char) b);
            }
            int length = 0;
            for (String line : head.toString().split("\r\n")) {
                if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring("content-length:".length()).strip());
                }
            }
            in.readNBytes(length);
        }

        @Override
        public void close() throws IOException {
            socket.close();
            thread.interrupt();
        }
    }
}
