package dev.llmo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmo.config.AppDirs;
import dev.llmo.config.ConfigLoader;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The built binary ({@code target/llmo}) as a process against a mock server: what a user really runs. */
class RunBinaryIT {
    private static final String STREAM = """
            data: {"choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}

            data: {"choices":[{"index":0,"delta":{"content":"Hello"},"finish_reason":null}]}

            data: {"choices":[{"index":0,"delta":{"content":", wörld"},"finish_reason":null}]}

            data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}

            data: {"choices":[],"usage":{"prompt_tokens":12,"completion_tokens":5,"total_tokens":17}}

            data: [DONE]

            """;

    @TempDir
    Path home;
    private MockWebServer server;

    @BeforeEach
    void start() throws IOException {
        server = MockServers.create();
        server.start();
        writeModels(server.url("/v1").toString());
    }

    @AfterEach
    void stop() throws IOException {
        server.shutdown();
    }

    private void writeModels(String baseUrl) throws IOException {
        Path dir = Files.createDirectories(home.resolve("llmo"));
        Files.writeString(dir.resolve("models.yaml"), """
                mock:
                  type: openai
                  base_url: %s
                  api_key_name: MOCK_API_KEY
                  default_model: m1
                  models:
                    - name: m1
                      pricing: { input_per_mtok: 0.15, output_per_mtok: 0.60 }
                    - name: unpriced
                """.formatted(baseUrl));
        Files.writeString(dir.resolve("config.yaml"), "main_llm: mock/m1\n");
    }

    private ProcessBuilder llmo(String... args) {
        String binary = System.getProperty("llmo.binary", "target/llmo");
        List<String> command = new ArrayList<>(List.of(binary));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectInput(new File("/dev/null"));
        builder.environment().put("HOME", home.toString());
        builder.environment().put("LLMO_HOME", home.resolve("llmo").toString());
        builder.environment().put("LLMO_SYSTEM_CONFIG_DIR", home.resolve("etc").toString());
        builder.environment().putAll(BinaryRun.startUpArchive());
        builder.environment().put("MOCK_API_KEY", "sk-it-secret");
        builder.environment().remove("LLMO_MODEL");
        return builder;
    }

    private record Run(int exitCode, String out, String err) {
    }

    private static Run run(ProcessBuilder builder) throws Exception {
        Process process = builder.start();
        StreamDrain out = new StreamDrain(process.getInputStream());
        StreamDrain err = new StreamDrain(process.getErrorStream());
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("llmo ended").isTrue();
        return new Run(process.exitValue(), out.text(), err.text());
    }

    @Test
    void streamsToStdout() throws Exception {
        server.enqueue(new MockResponse().setHeader("Content-Type", "text/event-stream").setBody(STREAM));
        Run run = run(llmo("run", "Say", "hello"));
        assertThat(run.err()).isEmpty();
        assertThat(run.out()).isEqualTo("Hello, wörld\n");
        assertThat(run.exitCode()).isZero();
        assertThat(server.takeRequest().getHeader("Authorization")).isEqualTo("Bearer sk-it-secret");
    }

    /**
     * A call to a plain-HTTP server goes over a connection of llmo's own (provider/http/LocalHttp): OkHttp's client,
     * its platform probe and its loggers are not set up (ADR-003, "Twenty-second round"). One too large for it (a
     * request body over 32 KiB) goes through OkHttp, as an {@code https} call does: OkHttp's platform probe reads the
     * first security provider's name; the JDK loads every configured provider to answer it (PKCS#11, smart cards,
     * SASL...), which a model call never uses, unless the probe sees only the first (provider/http/OkHttpPlatform,
     * with the launcher's export), and where that is the JDK's SUN, a stand-in. The event log's SHA-256 and random
     * bytes come without the provider list (secret/JdkCrypto): no call over plain HTTP sets up SUN.
     */
    @Test
    void aModelCallSetsUpNoOkHttpClientAndOkHttpNotEverySecurityProvider() throws Exception {
        for (boolean large : new boolean[] {false, true}) {
            server.enqueue(new MockResponse().setHeader("Content-Type", "text/event-stream").setBody(STREAM));
            Path log = home.resolve("classes-" + large + ".log");
            ProcessBuilder builder = llmo("run", "Say", large ? "hello " + "x".repeat(40_000) : "hello");
            builder.environment().put("JAVA_TOOL_OPTIONS", "-Xlog:class+load=info:file=" + log);

            Run run = run(builder);

            assertThat(run.exitCode()).isZero();
            assertThat(run.out()).isEqualTo("Hello, wörld\n");
            String loaded = Files.readString(log);
            assertThat(loaded).contains("sun.security.provider.SHA2 ").doesNotContain("sun.security.provider.Sun ",
                    "sun.security.pkcs11.SunPKCS11", "sun.security.smartcardio.SunPCSC",
                    "com.sun.security.sasl.gsskerb.JdkSASL");
            if (large) {
                assertThat(loaded).contains("okhttp3.internal.platform.Platform ");
            } else {
                assertThat(loaded).contains("dev.llmo.provider.http.LocalHttp ")
                        .doesNotContain("okhttp3.internal.platform.Platform ", "okhttp3.internal.connection.RealCall ",
                                "java.util.logging.LogManager ");
            }
        }
    }

    /**
     * Jackson's mapper, whose ~400 classes are in no class archive, made a run 2.4x a plain one: a run that keeps no
     * conversation still counts its spend (cost/UnloggedSpend), as one JSON line now written with the streaming
     * generator; a decimal option ({@code -o temperature=0.2}) becomes its tree node without it (provider/http/Json).
     */
    @Test
    void aRunWithAnOptionAndWithoutLogSetsUpNoJsonMapper() throws Exception {
        server.enqueue(new MockResponse().setHeader("Content-Type", "text/event-stream").setBody(STREAM));
        Path log = home.resolve("classes-no-log.log");
        ProcessBuilder builder = llmo("run", "--no-log", "-o", "temperature=0.2", "Say", "hello");
        builder.environment().put("JAVA_TOOL_OPTIONS", "-Xlog:class+load=info:file=" + log);

        Run run = run(builder);

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).isEqualTo("Hello, wörld\n");
        assertThat(Files.readString(log)).contains("dev.llmo.cost.UnloggedSpend ")
                .doesNotContain("com.fasterxml.jackson.databind.ObjectMapper ");
        assertThat(server.takeRequest().getBody().readUtf8()).contains("\"temperature\":0.2");
    }

    /**
     * A small text file given with -a or -f is sent as a text part, whose UTF-8 bytes bound its tokens: the run loads
     * no tokenizer for it, under a budget either (a tokenizer's encoding took ~180 ms, a run with a 13-byte file 3.2x
     * a plain one).
     */
    @Test
    void aSmallTextFileLoadsNoTokenizerEvenUnderABudget() throws Exception {
        Path notes = Files.writeString(home.resolve("notes.txt"), "some context\n");
        for (List<String> args : List.of(List.of("run", "-a", notes.toString(), "Say", "hello"),
                List.of("run", "--max-cost", "1", "-f", notes.toString(), "Say", "hello"))) {
            server.enqueue(new MockResponse().setHeader("Content-Type", "text/event-stream").setBody(STREAM));
            Path log = home.resolve("classes-text-file.log");
            ProcessBuilder builder = llmo(args.toArray(String[]::new));
            builder.environment().put("JAVA_TOOL_OPTIONS", "-Xlog:class+load=info:file=" + log);

            Run run = run(builder);

            assertThat(run.exitCode()).as("%s: %s", args, run.err()).isZero();
            assertThat(run.out()).isEqualTo("Hello, wörld\n");
            assertThat(server.takeRequest().getBody().readUtf8()).contains("some context");
            assertThat(Files.readString(log)).as("%s", args).doesNotContain("com.knuddels.jtokkit.Encodings ");
        }
    }

    /**
     * A budget cannot be checked for a model without a price: the run is refused (exit 5) before the request's tokens
     * are counted, which cannot change that, short prompt or long (a tokenizer's encoding took ~0.3 s of the refusal).
     */
    @Test
    void aBudgetOnAModelWithoutAPriceIsRefusedWithoutATokenizer() throws Exception {
        for (String prompt : List.of("Say hello", "word ".repeat(20_000))) {
            Path log = home.resolve("classes-unpriced.log");
            ProcessBuilder builder = llmo("run", "-m", "mock/unpriced", "--max-cost", "1", prompt);
            builder.environment().put("JAVA_TOOL_OPTIONS", "-Xlog:class+load=info:file=" + log);

            Run run = run(builder);

            assertThat(run.exitCode()).as(run.err()).isEqualTo(5);
            assertThat(run.err()).contains("the price of mock/unpriced is unknown").contains("nothing was sent");
            assertThat(Files.readString(log)).doesNotContain("com.knuddels.jtokkit.Encodings ");
        }
        assertThat(server.getRequestCount()).isZero();
    }

    /**
     * OkHttp's loggers come with a call through OkHttp (here one whose request is too large for LocalHttp); without
     * --debug the logging is configured by llmo's class, which gives it
     * no handler (no library lines between llmo's own on stderr, and no read of the JDK's logging.properties), and the
     * JDK's loggers come from llmo's finder, named first on the class path by the starter jar, so that looking for a
     * finder does not open the binary's jar (no jar is opened at all when every class comes from the archive); with
     * --debug the JDK's default configuration is left alone.
     */
    @Test
    void libraryLogsReachStderrOnlyWithDebug() throws Exception {
        // a first run parses the models.yaml and keeps its tree, with classes that are not in the call archive
        server.enqueue(new MockResponse().setHeader("Content-Type", "text/event-stream").setBody(STREAM));
        assertThat(run(llmo("run", "Say", "hello")).exitCode()).isZero();
        for (boolean debug : new boolean[] {false, true}) {
            server.enqueue(new MockResponse().setHeader("Content-Type", "text/event-stream").setBody(STREAM));
            Path log = home.resolve("classes-" + debug + ".log");
            String large = "hello " + "x".repeat(40_000);
            ProcessBuilder builder = debug ? llmo("--debug", "run", "Say", large) : llmo("run", "Say", large);
            builder.environment().put("JAVA_TOOL_OPTIONS", "-Xlog:class+load=info:file=" + log
                    + " -Dsun.misc.URLClassPath.debug=true");

            Run run = run(builder);

            assertThat(run.exitCode()).isZero();
            assertThat(run.out()).isEqualTo("Hello, wörld\n");
            String loaded = Files.readString(log);
            assertThat(loaded).contains("java.util.logging.LogManager ", "dev.llmo.LibraryLogs$Finder ");
            if (debug) {
                assertThat(loaded).doesNotContain("dev.llmo.LibraryLogs$Configuration ");
            } else {
                assertThat(loaded).contains("dev.llmo.LibraryLogs$Configuration ");
            }
            if (!debug && BinaryRun.startUpArchive().containsKey("XDG_CACHE_HOME")) {
                // the run started from the starter jar, and the only jars of its class path it opened were the starter
                // and its finder link, not the binary (a run with --debug goes through picocli, whose classes for it
                // come from the binary)
                assertThat(run.err()).containsPattern("Opening file:/\\S+\\.start\\.jar\n")
                        .containsPattern("Opening file:/\\S+\\.finder\\.jar\n")
                        .doesNotContainPattern("Opening file:/\\S+\\d\\.jar\n");
            }
        }
    }

    /**
     * In the jar the built-in files' part of the configuration's digest comes from the build (ConfigDigest); the
     * conversation must record the digest the same configuration has when computed from the files.
     */
    @Test
    void theRecordedConfigurationDigestIsTheOneTheFilesHave() throws Exception {
        server.enqueue(new MockResponse().setHeader("Content-Type", "text/event-stream").setBody(STREAM));
        ProcessBuilder builder = llmo("run", "Say", "hello");

        assertThat(run(builder).exitCode()).isZero();

        Map<String, String> env = Map.of("HOME", home.toString(), "LLMO_HOME", home.resolve("llmo").toString(),
                "LLMO_SYSTEM_CONFIG_DIR", home.resolve("etc").toString());
        String here = ConfigLoader.load(AppDirs.fromEnvironment(env, home), builder.directory() != null
                ? builder.directory().toPath() : Path.of("").toAbsolutePath(), env).digest();
        try (var logs = Files.list(home.resolve("llmo/conversations"))) {
            Path log = logs.filter(file -> file.toString().endsWith(".jsonl")).findFirst().orElseThrow();
            assertThat(Files.readAllLines(log).get(0)).contains("\"config_sha256\":\"" + here + "\"");
        }
    }

    @Test
    void jsonAndUsageLine() throws Exception {
        server.enqueue(new MockResponse().setHeader("Content-Type", "text/event-stream").setBody(STREAM));
        Run run = run(llmo("run", "--json", "-u", "hi"));
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).startsWith("{\"model\":\"mock/m1\",\"text\":\"Hello, wörld\",\"stop_reason\":\"end\","
                + "\"reasoning\":null,\"refusal\":null,\"citations\":[],\"tool_calls\":[],\"tool_results\":[],\"tool_rounds\":0,"
                + "\"usage\":{\"input_tokens\":12,\"output_tokens\":5,\"reasoning_tokens\":0,\"cache_read_tokens\":0,"
                + "\"cache_write_tokens\":0},\"cost_usd\":0.0000048,\"latency_ms\":")
                .containsPattern(",\"conversation\":\"[0-9A-Z]{26}\",\"error\":null}\n$");
        assertThat(run.err()).startsWith("mock/m1: 12 in, 5 out tokens, $0.0000048, ");
    }

    @Test
    void noServerIsOneLineAndExit1() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        writeModels("http://localhost:" + port + "/v1");
        Run run = run(llmo("run", "hi"));
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).startsWith("llmo: error: cannot connect to http://localhost:" + port
                + " (connection refused); ").hasLineCount(1).doesNotContain("Exception");
    }

    @Test
    void missingKeyExits4() throws Exception {
        ProcessBuilder builder = llmo("run", "hi");
        builder.environment().remove("MOCK_API_KEY");
        Run run = run(builder);
        assertThat(run.exitCode()).isEqualTo(4);
        assertThat(run.err()).isEqualTo("llmo: error: no API key for provider 'mock': MOCK_API_KEY is not set; "
                + "run 'llmo vault set MOCK_API_KEY' or 'export MOCK_API_KEY=…'\n");
    }

    @Test
    void ctrlCCancelsTheRequestKeepsThePartialTextAndExits130() throws Exception {
        String first = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"partial\"},\"finish_reason\":null}]}"
                + "\n\n";
        // after the first event the rest trickles in for minutes: only Ctrl-C ends this run
        server.enqueue(new MockResponse().setHeader("Content-Type", "text/event-stream")
                .setBody(first + ": " + "keep-alive ".repeat(3000) + "\n\n" + "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"}}]}\n\n".repeat(100))
                .throttleBody(first.length(), 1, TimeUnit.SECONDS));
        Process process = llmo("run", "hi").start();
        StreamDrain out = new StreamDrain(process.getInputStream());
        StreamDrain err = new StreamDrain(process.getErrorStream());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!out.soFar().contains("partial") && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(out.soFar()).as("the first text arrived").isEqualTo("partial");

        Process kill = new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("llmo ended after Ctrl-C").isTrue();

        assertThat(process.exitValue()).isEqualTo(130);
        assertThat(out.text()).isEqualTo("partial\n");
        assertThat(err.text()).isEqualTo("llmo: error: interrupted: the request to mock was cancelled\n");
        // the conversation log ends properly: the partial answer marked incomplete, then session.end
        java.nio.file.Path log;
        try (var files = java.nio.file.Files.list(home.resolve("llmo/conversations"))) {
            log = files.findFirst().orElseThrow();
        }
        assertThat(dev.llmo.eventlog.ChainVerifier.verify(log).ok()).isTrue();
        var events = dev.llmo.eventlog.EventLog.read(log);
        assertThat(events.stream().map(dev.llmo.eventlog.Event::type)).endsWith("response", "error", "session.end");
        assertThat(dev.llmo.eventlog.Logged.text(events.get(events.size() - 3))).isEqualTo("partial");
        var response = events.get(events.size() - 3).data();
        assertThat(response.get("complete").asBoolean()).isFalse();
        assertThat(events.get(events.size() - 1).data().get("status").asText()).isEqualTo("interrupted");
    }
}
