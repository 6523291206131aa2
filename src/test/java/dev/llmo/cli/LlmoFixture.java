package dev.llmo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmo.eventlog.ChainVerifier;
import dev.llmo.eventlog.Event;
import dev.llmo.eventlog.EventLog;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.FileVisitResult;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.stream.Stream;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.QueueDispatcher;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The set-up of an in-process CLI test, as a JUnit extension: a private HOME (with LLMO_HOME {@code home/llmo}),
 * optionally a MockWebServer for a provider to talk to, and the user's {@code models.yaml} and {@code config.yaml}.
 * <pre>
 * &#64;RegisterExtension
 * final LlmoFixture llmo = LlmoFixture.create().openAiServer()
 *         .mockProvider("models: [{ name: m1 }, { name: m2 }]")
 *         .configYaml("main_llm: mock/m1\n");
 *
 * llmo.server().enqueue(OpenAiAnswers.streamed("Hello"));
 * assertThat(llmo.run("run", "hi")).succeeded().outIs("Hello\n");
 * </pre>
 * Every file is written before each test; one set while a test runs is written at once. Runs get the key
 * {@value #KEY} as MOCK_API_KEY and no retries (LLMO_MAX_RETRIES=0), so that an error answer is final.
 */
public final class LlmoFixture implements BeforeEachCallback, AfterEachCallback {
    /** The provider key every run gets as MOCK_API_KEY: a test can look for it where no secret may be. */
    public static final String KEY = "sk-mock-secret-123";

    private boolean withServer;
    private boolean failFast;
    private String modelsYaml;
    private String configYaml;
    private Path home;
    private MockWebServer server;

    private LlmoFixture() {
    }

    /** A home with no configuration of the user's: the built-in one applies. */
    public static LlmoFixture create() {
        return new LlmoFixture();
    }

    /**
     * A MockWebServer, started before each test and shut down after it; what it answers is what the test enqueues
     * in a provider's wire format ({@code OpenAiAnswers}). Its URL is {@code {server}} in {@link #modelsYaml}.
     */
    public LlmoFixture openAiServer() {
        withServer = true;
        return this;
    }

    /** A request the test did not enqueue an answer for gets a 404 at once instead of waiting for one forever. */
    public LlmoFixture failFast() {
        openAiServer();
        failFast = true;
        return this;
    }

    /**
     * The user's {@code models.yaml}; {@code {server}} in it stands for the server's {@code /v1} URL, where an
     * OpenAI-compatible base URL points.
     */
    public LlmoFixture modelsYaml(String yaml) {
        modelsYaml = yaml;
        writeModels();
        return this;
    }

    /**
     * A {@code models.yaml} of one provider, {@code mock}, of type openai at the server with the key MOCK_API_KEY,
     * and {@code entries} (YAML at the provider's level: {@code models: [m1]}, {@code default_model: m1}).
     */
    public LlmoFixture mockProvider(String entries) {
        StringBuilder yaml = new StringBuilder("mock:\n  type: openai\n  base_url: {server}\n"
                + "  api_key_name: MOCK_API_KEY\n");
        entries.lines().forEach(line -> yaml.append("  ").append(line).append('\n'));
        return modelsYaml(yaml.toString());
    }

    /** The user's {@code config.yaml}. */
    public LlmoFixture configYaml(String yaml) {
        configYaml = yaml;
        writeConfig();
        return this;
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        home = Files.createTempDirectory("llmo-test-home");
        if (withServer) {
            server = dev.llmo.MockServers.create();
            if (failFast) {
                QueueDispatcher dispatcher = new QueueDispatcher();
                dispatcher.setFailFast(true);
                server.setDispatcher(dispatcher);
            }
            server.start();
        }
        writeModels();
        writeConfig();
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        try {
            if (server != null) {
                server.shutdown();
            }
        } finally {
            delete(home);
        }
    }

    /** Deletes {@code tree}, also where a test took away the permission to read or write a directory. */
    private static void delete(Path tree) throws IOException {
        Files.walkFileTree(tree, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) {
                File file = dir.toFile();
                file.setReadable(true, true);
                file.setWritable(true, true);
                file.setExecutable(true, true);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException failed) throws IOException {
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private void writeModels() {
        if (home != null && modelsYaml != null) {
            write("models.yaml", withServer ? modelsYaml.replace("{server}", server.url("/v1").toString())
                    : modelsYaml);
        }
    }

    private void writeConfig() {
        if (home != null && configYaml != null) {
            write("config.yaml", configYaml);
        }
    }

    private void write(String name, String content) {
        try {
            Files.writeString(Files.createDirectories(dir()).resolve(name), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** HOME of every run. */
    public Path home() {
        return home;
    }

    /** LLMO_HOME: {@code home/llmo}, where models.yaml, config.yaml and the conversations are. */
    public Path dir() {
        return home.resolve("llmo");
    }

    public MockWebServer server() {
        if (server == null) {
            throw new IllegalStateException("no server: call openAiServer()");
        }
        return server;
    }

    /** A run in this home with the mock key and no retries; add to it (stdin, env, tty) before {@code run}. */
    public CliRun cli() {
        return CliRun.in(home).env("MOCK_API_KEY", KEY).env("LLMO_MAX_RETRIES", "0");
    }

    /** {@code llmo ARGS} as {@link #cli()} runs it. */
    public CliRun.Result run(String... args) {
        return cli().run(args);
    }

    /** The directory of the conversation logs. */
    public Path conversations() {
        return dir().resolve("conversations");
    }

    /** Every file of the conversations directory (each a log), oldest first (ids sort by time); none before one. */
    public List<Path> logs() {
        if (!Files.isDirectory(conversations())) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(conversations())) {
            return files.sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The log of the one conversation there is; fails when there is none or there are several. */
    public Path onlyLog() {
        List<Path> logs = logs();
        assertThat(logs).as("the conversation logs").hasSize(1);
        return logs.get(0);
    }

    /** The id of the one conversation there is. */
    public String onlyId() {
        return onlyLog().getFileName().toString().replace(".jsonl", "");
    }

    /** The events of the one conversation there is, after checking that its chain verifies. */
    public List<Event> onlyLogEvents() {
        Path log = onlyLog();
        assertThat(ChainVerifier.verify(log).ok()).as("the log verifies").isTrue();
        return EventLog.read(log);
    }
}
