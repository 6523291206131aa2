package dev.llmo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every shell example of README.md and docs/usage/*.md runs against the built binary, so that the docs cannot
 * drift: each page's commands run in order in one {@code sh}, in a private HOME whose user models.yaml points
 * every built-in provider at one local server that answers in that provider's wire format (fake keys in the
 * environment). A command that calls llmo must exit 0, or non-zero where the page shows an {@code llmo: error:}
 * line, and its output must be what the page shows (rules in {@link DocsExamples#matches}). Blocks behind
 * {@code <!-- docs-test: skip REASON -->} do not run. Pages run in parallel, each in its own HOME.
 */
class DocsExamplesIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> OPENAI_LIKE = List.of("openai", "ollama", "openrouter", "groq");
    private static MockWebServer server;

    @TempDir
    static Path work;

    @BeforeAll
    static void start() throws IOException {
        server = MockServers.create();
        server.setDispatcher(new Providers());
        server.start();
    }

    @AfterAll
    static void stop() throws IOException {
        server.shutdown();
    }

    @Test
    void everyShellExampleOfTheDocsRunsAndShowsWhatTheDocsShow() throws Exception {
        Path root = BinaryRun.binary().toAbsolutePath().getParent().getParent();
        List<Path> pages = new ArrayList<>(List.of(root.resolve("README.md")));
        try (Stream<Path> usage = Files.list(root.resolve("docs/usage"))) {
            usage.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        // the pages with the most commands first: one page's shell runs its commands one after another, so a long page
        // started last would run alone at the end while the other threads sit idle
        Map<Path, Integer> sizes = new HashMap<>();
        for (Path page : pages) {
            sizes.put(page, DocsExamples.commands(page).size());
        }
        pages.sort(Comparator.comparing((Path page) -> sizes.get(page)).reversed());
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<List<String>>> results = new ArrayList<>();
            for (Path page : pages) {
                results.add(pool.submit(() -> run(root, page)));
            }
            List<String> problems = new ArrayList<>();
            for (Future<List<String>> result : results) {
                problems.addAll(result.get());   // each page's shell has its own time limit
            }
            assertThat(problems).as("docs examples that fail or show other output than they print").isEmpty();
        } finally {
            pool.shutdownNow();
        }
    }

    /** Runs a page's commands in one shell, in order, and returns what is wrong with them. */
    private static List<String> run(Path root, Path page) throws Exception {
        List<DocsExamples.Command> commands = DocsExamples.commands(page).stream()
                .filter(c -> c.skipReason() == null).toList();
        if (commands.isEmpty()) {
            return List.of();
        }
        String name = page.getFileName().toString().replace(".md", "");
        Path home = Files.createDirectories(work.resolve(name + "/home"));
        Path out = Files.createDirectories(work.resolve(name + "/out"));
        Path cwd = Files.createDirectories(home.resolve("work"));
        Files.createDirectories(home.resolve("bin"));
        // the password manager of `pass show openai | llmo vault set OPENAI_API_KEY`: prints a fake key
        Path pass = Files.writeString(home.resolve("bin/pass"), "#!/bin/sh\necho \"sk-docs-test-$2\"\n");
        pass.toFile().setExecutable(true);
        Files.createSymbolicLink(cwd.resolve("target"), root.resolve("target"));
        writeProviders(home, name.equals("chains"));

        // The inputs the examples name: a git repository with a change (`git diff | llmo ...`), main.go, questions.txt.
        StringBuilder script = new StringBuilder("""
                newest() { ls "$HOME/.local/share/llmo/conversations" | sort | tail -1 | cut -c1-26; }
                printf 'package main\\n' > main.go && printf 'What is a CRDT?\\n' > questions.txt
                git init -q . && git add main.go && git -c user.name=docs -c user.email=docs@test commit -qm main
                printf 'package main\\n\\nfunc main() {}\\n' > main.go
                """);
        for (int i = 0; i < commands.size(); i++) {
            String command = commands.get(i).text().replaceAll("\\b01M[0-9A-HJKMNP-TV-Z]{5,24}\\b", "\"\\$(newest)\"");
            script.append("{ ").append(command).append("\n} >'").append(out.resolve(i + ".out")).append("' 2>&1 </dev/null; echo $? >'")
                    .append(out.resolve(i + ".rc")).append("'\n");
        }
        // Vault sessions the examples open (`eval "$(llmo vault unlock)"`) live in this page's own runtime dir and are
        // closed when the page ends, so pages cannot lock each other's sessions and no agent outlives the test.
        Path runtime = Files.createDirectories(work.resolve("run-" + name));
        script.append("llmo vault lock >/dev/null 2>&1\n");
        // the built binary itself on PATH (not a link to it): the launcher keys the start-up archive by the path it
        // was started from, and BinaryRun has made the one of that path
        Path binaries = BinaryRun.binary().toAbsolutePath().getParent();
        BinaryRun.Result shell = BinaryRun.in(home).workingDir(cwd).env("PATH", home.resolve("bin") + ":" + binaries + ":" + System.getenv("PATH"))
                .env("XDG_RUNTIME_DIR", runtime.toString())
                .without("LLMO_HOME").timeoutSeconds(1800).env("OPENAI_API_KEY", "sk-docs-test").env("ANTHROPIC_API_KEY", "sk-ant-docs-test")
                .env("GEMINI_API_KEY", "docs-test").env("OPENROUTER_API_KEY", "sk-or-docs-test").env("GROQ_API_KEY", "gsk_docs_test")
                .env("LLMO_VAULT_PASSWORD", "docs test password").env("KEY", "sk-docs-test-2").env("NEW_PASSWORD", "docs test password")
                .exec(List.of("sh", "-c", script.toString()));

        List<String> problems = new ArrayList<>();
        for (int i = 0; i < commands.size(); i++) {
            DocsExamples.Command command = commands.get(i);
            Path rcFile = out.resolve(i + ".rc");
            if (!Files.exists(rcFile)) {
                problems.add(command.where() + ": `" + command.text() + "` did not run (" + shell.err().strip() + ")");
                continue;
            }
            int rc = Integer.parseInt(Files.readString(rcFile).strip());
            String output = Files.readString(out.resolve(i + ".out"), StandardCharsets.UTF_8);
            if (!command.callsLlmo()) {
                continue;
            }
            boolean errorShown = command.shown() != null && command.shown().stream().anyMatch(l -> l.startsWith("llmo: error:"));
            if (errorShown ? rc == 0 : rc != 0) {
                problems.add(command.where() + ": `" + command.text() + "` exited " + rc + ":\n" + indent(output));
            } else if (command.shown() != null
                    && !DocsExamples.matches(command.shown(), output.lines().toList(), home.toString())) {
                problems.add(command.where() + ": `" + command.text() + "` printed\n" + indent(output) + "  but the page shows\n"
                        + indent(String.join("\n", command.shown())));
            }
        }
        return problems;
    }

    private static String indent(String text) {
        return text.lines().map(l -> "    | " + l).reduce((a, b) -> a + "\n" + b).orElse("    | (nothing)");
    }

    /**
     * The user layer: a keyless local server of the user's own (cli-reference.md shows it in {@code llmo models}) and
     * every built-in provider's base_url on the local server, under a path naming the provider; for chains.md, the
     * chains that page defines.
     */
    private static void writeProviders(Path home, boolean chains) throws IOException {
        Path config = Files.createDirectories(home.resolve(".config/llmo"));
        StringBuilder yaml = new StringBuilder("""
                # The docs test's user layer: a local server of the user's own, then every built-in provider on the
                # test server.
                lmstudio:
                  type: openai
                  base_url: %s
                  # no key: a local server
                  models: [qwen3-8b]
                """.formatted(server.url("/lmstudio/v1")));
        for (String provider : OPENAI_LIKE) {
            yaml.append(provider).append(":\n  base_url: ").append(server.url("/" + provider + "/v1")).append('\n');
        }
        yaml.append("anthropic:\n  base_url: ").append(server.url("/anthropic")).append('\n');
        yaml.append("gemini:\n  base_url: ").append(server.url("/gemini")).append('\n');
        Files.writeString(config.resolve("models.yaml"), yaml.toString());
        if (!chains) {
            return;
        }
        Files.writeString(config.resolve("config.yaml"), """
                chains:
                  tldr:
                    - "Summarise in five bullet points>/)-ollama"
                  haiku:
                    description: draft, review on two models, fix until approved
                    steps:
                      - name: draft
                        model: openai/gpt-4o-mini
                        role: Creative
                        prompt: "Write a haiku about {{input}}"
                      - name: review
                        parallel: [anthropic, gemini]
                        prompt: "Review this haiku; say APPROVED if it needs no change:\\n{{draft}}"
                      - name: fix
                        model: openai/gpt-4o-mini
                        when: "not (review contains 'APPROVED')"
                        prompt: "Rewrite the haiku.\\nHaiku: {{draft}}\\nReviews: {{review}}\\nLast attempt: {{output}}\\nEnd with DONE."
                        repeat: { until: "output contains 'DONE'", max: 3 }
                  article:
                    description: an outline as JSON, then the article from its fields
                    steps:
                      - name: outline
                        model: openai/gpt-4o-mini
                        prompt: "Outline an article about {{input}}"
                        schema: "title, sections [str]: three section headings"
                        schema_retries: 2
                      - name: write
                        model: anthropic
                        prompt: "Write the article \\"{{outline.title}}\\" with these sections: {{outline.sections}}"
                """);
    }

    /** Answers like the providers: chat completions (OpenAI-compatible), messages (Anthropic), generateContent (Gemini), model lists. */
    private static final class Providers extends Dispatcher {
        @Override
        public MockResponse dispatch(RecordedRequest request) {
            String path = request.getPath() == null ? "" : request.getPath();
            try {
                if ("GET".equals(request.getMethod())) {
                    return models(path);
                }
                JsonNode body = JSON.readTree(request.getBody().readUtf8());
                JsonNode schema = askedSchema(body);
                String text = schema.isMissingNode() ? answerTo(body.toString())
                        : JSON.writeValueAsString(sample(schema, ""));
                if (path.contains("/chat/completions")) {
                    return body.path("stream").asBoolean() ? sse(OpenAiAnswers.sseBody(text, 212, 31))
                            : json(Map.of("model", body.path("model").asText(), "choices", List.of(Map.of("index", 0,
                                    "message", Map.of("role", "assistant", "content", text), "finish_reason", "stop")),
                                    "usage", Map.of("prompt_tokens", 212, "completion_tokens", 31)));
                }
                if (path.endsWith("/v1/messages")) {
                    return body.path("stream").asBoolean() ? sse(anthropicStream(body.path("model").asText(), text))
                            : json(Map.of("type", "message", "role", "assistant", "model", body.path("model").asText(),
                                    "content", List.of(Map.of("type", "text", "text", text)), "stop_reason", "end_turn",
                                    "usage", Map.of("input_tokens", 212, "output_tokens", 31)));
                }
                if (path.contains(":streamGenerateContent")) {
                    return sse("data: " + JSON.writeValueAsString(gemini(text)) + "\r\n\r\n");
                }
                if (path.contains(":generateContent")) {
                    return json(gemini(text));
                }
            } catch (IOException e) {
                return new MockResponse().setResponseCode(400).setBody("{\"error\":{\"message\":\"" + e.getMessage() + "\"}}");
            }
            return new MockResponse().setResponseCode(404).setBody("{\"error\":{\"message\":\"no such path " + path + "\"}}");
        }

        /** The JSON Schema of a structured-output request, in whichever wire format; missing when it asks for none. */
        private static JsonNode askedSchema(JsonNode body) {
            JsonNode openai = body.path("response_format").path("json_schema").path("schema");
            JsonNode anthropic = body.path("output_config").path("format").path("schema");
            JsonNode gemini = body.path("generationConfig").path("responseJsonSchema");
            return !openai.isMissingNode() ? openai : !anthropic.isMissingNode() ? anthropic : gemini;
        }

        /** An answer that follows {@code schema}: two items in a list, a name for a string, 3 for a number. */
        private static Object sample(JsonNode schema, String name) {
            switch (schema.path("type").asText()) {
                case "object" -> {
                    Map<String, Object> object = new java.util.LinkedHashMap<>();
                    schema.path("properties").fields().forEachRemaining(p -> object.put(p.getKey(),
                            sample(p.getValue(), p.getKey())));
                    return object;
                }
                case "array" -> {
                    return List.of(sample(schema.path("items"), name), sample(schema.path("items"), name + "2"));
                }
                case "integer", "number" -> {
                    return 3;
                }
                case "boolean" -> {
                    return true;
                }
                default -> {
                    return name.equals("name") ? "Rex" : name.equals("name2") ? "Ida" : "a " + name;
                }
            }
        }

        /** The same answer for every provider: what the docs show (CRDTs), or a short one. */
        private static String answerTo(String request) {
            if (request.contains("Shorter")) {
                return "One sentence: replicas merge without conflicts.";
            }
            if (request.contains("CRDT")) {
                return "CRDTs are data structures that replicas update independently and merge without conflicts.";
            }
            return "A short answer.";
        }

        private static MockResponse models(String path) throws IOException {
            if (path.startsWith("/anthropic")) {
                return json(Map.of("data", List.of(Map.of("type", "model", "id", "claude-sonnet-4-5", "display_name", "Claude Sonnet 4.5")),
                        "has_more", false));
            }
            if (path.startsWith("/gemini")) {
                return json(Map.of("models", List.of(Map.of("name", "models/gemini-2.5-flash",
                        "supportedGenerationMethods", List.of("generateContent")))));
            }
            String provider = path.substring(1, path.indexOf('/', 1));
            return json(Map.of("object", "list", "data", List.of(Map.of("id", provider.equals("ollama") ? "llama3.2" : "gpt-4o-mini",
                    "object", "model"))));
        }

        private static String anthropicStream(String model, String text) throws IOException {
            return "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"model\":" + TextNode.valueOf(model)
                    + ",\"id\":\"msg_docs\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"stop_reason\":null,"
                    + "\"usage\":{\"input_tokens\":212,\"output_tokens\":1}}}\n\n"
                    + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
                    + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":"
                    + JSON.writeValueAsString(text) + "}}\n\n"
                    + "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
                    + "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},"
                    + "\"usage\":{\"output_tokens\":31}}\n\n"
                    + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
        }

        private static Map<String, Object> gemini(String text) {
            return Map.of("candidates", List.of(Map.of("content", Map.of("role", "model", "parts", List.of(Map.of("text", text))),
                    "finishReason", "STOP")), "usageMetadata", Map.of("promptTokenCount", 212, "candidatesTokenCount", 31,
                    "totalTokenCount", 243));
        }

        private static MockResponse sse(String body) {
            return new MockResponse().setHeader("Content-Type", "text/event-stream").setBody(body);
        }

        private static MockResponse json(Object body) throws IOException {
            return new MockResponse().setHeader("Content-Type", "application/json").setBody(JSON.writeValueAsString(body));
        }
    }
}
