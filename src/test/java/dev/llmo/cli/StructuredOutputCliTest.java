package dev.llmo.cli;

import static dev.llmo.cli.CliRunAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmo.OpenAiAnswers;
import dev.llmo.eventlog.Event;
import dev.llmo.failure.ExitCode;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code llmo run --schema}: the schema asked for in the request, the answer checked locally, stdout the JSON alone,
 * a violation exits 1 naming where, {@code --schema-retries} sends the violation back, within the budget; the schema
 * recorded so that {@code log replay} rebuilds every request.
 */
class StructuredOutputCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DOG = "name, age int, tags [str]";

    @RegisterExtension
    final LlmoFixture llmo = LlmoFixture.create().openAiServer().mockProvider("""
            models:
              - name: m
                pricing: { input_per_mtok: 1000, output_per_mtok: 1000 }
            """);

    @BeforeEach
    void config() {
        llmo.configYaml("main_llm: mock/m\n");
    }

    private List<String> bodies() throws Exception {
        List<String> bodies = new ArrayList<>();
        RecordedRequest request;
        while ((request = llmo.server().takeRequest(1, java.util.concurrent.TimeUnit.MILLISECONDS)) != null) {
            bodies.add(request.getBody().readUtf8());
        }
        return bodies;
    }

    @Test
    void aValidAnswerIsPrintedAsItsJsonAlone() throws Exception {
        llmo.server().enqueue(OpenAiAnswers.streamed("{\"name\":\"Rex\",\"age\":3,\"tags\":[\"good\"]}"));

        CliRun.Result result = llmo.run("run", "--schema", DOG, "Invent a dog");

        assertThat(result).succeeded().outIs("{\"name\":\"Rex\",\"age\":3,\"tags\":[\"good\"]}\n");
        String body = bodies().get(0);
        assertThat(body).contains("\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"answer\","
                + "\"schema\":{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"},\"age\":{\"type\":"
                + "\"integer\"},\"tags\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}}},\"required\":[\"name\","
                + "\"age\",\"tags\"],\"additionalProperties\":false},\"strict\":true}}");
    }

    @Test
    void anInvalidAnswerExitsOneWithTheFirstViolationAndShowsTheAnswerOnStderrOnly() throws Exception {
        String answer = "{\"name\":\"Rex\",\"age\":\"three\",\"tags\":[]}";
        llmo.server().enqueue(OpenAiAnswers.streamed(answer));
        llmo.server().enqueue(OpenAiAnswers.streamed(answer));

        CliRun.Result result = llmo.run("run", "--schema", DOG, "Invent a dog");
        CliRun.Result json = llmo.run("run", "--json", "--schema", DOG, "Invent a dog");

        // stdout stays empty, so that no script takes it for an answer that follows the schema
        assertThat(result).failedWith(ExitCode.FAILURE).outIsEmpty();
        assertThat(result.err()).isEqualTo("llmo: the answer, not printed on stdout:\n" + answer + "\n"
                + "llmo: error: the answer of mock/m does not follow the schema: at $.age: string found, integer "
                + "expected; ask again with --schema-retries N, or loosen the schema\n");
        assertThat(json).failedWith(ExitCode.FAILURE);
        JsonNode line = JSON.readTree(json.out());
        assertThat(line.get("text").asText()).isEqualTo(answer);
        assertThat(line.has("json")).isFalse();
        assertThat(line.get("error").get("message").asText()).startsWith("the answer of mock/m does not follow");
    }

    @Test
    void anAnswerThatIsNotJsonIsAViolationAtTheTop() {
        llmo.server().enqueue(OpenAiAnswers.streamed("Here is a dog: Rex, 3."));

        assertThat(llmo.run("run", "--schema", DOG, "Invent a dog")).failedWith(ExitCode.FAILURE)
                .errContains("at $: the answer is not JSON");
    }

    @Test
    void aRetrySendsTheViolationBackAndTheCorrectedAnswerIsPrinted() throws Exception {
        llmo.server().enqueue(OpenAiAnswers.streamed("{\"name\":\"Rex\",\"tags\":[]}"));
        llmo.server().enqueue(OpenAiAnswers.streamed("{\"name\":\"Rex\",\"age\":3,\"tags\":[]}"));

        CliRun.Result result = llmo.run("run", "--json", "--schema", DOG, "--schema-retries", "2", "Invent a dog");

        assertThat(result).succeeded();
        JsonNode line = JSON.readTree(result.out());
        assertThat(line.path("json").path("age").asInt()).isEqualTo(3);
        assertThat(line.path("text").asText()).isEqualTo("{\"name\":\"Rex\",\"age\":3,\"tags\":[]}");
        // both attempts are paid for: twice the 2 output tokens each mock stream reports
        assertThat(line.path("usage").path("output_tokens").asInt()).isEqualTo(4);
        List<String> bodies = bodies();
        assertThat(bodies).hasSize(2);
        assertThat(bodies.get(1)).contains("{\"role\":\"assistant\",\"content\":\"{\\\"name\\\":\\\"Rex\\\","
                + "\\\"tags\\\":[]}\"}").contains("does not follow the JSON Schema it must follow: at $: required "
                + "property 'age' not found");

        // recorded: the schema with each request, the violation as a user message; replay rebuilds both requests
        List<Event> events = llmo.onlyLogEvents();
        assertThat(events.stream().filter(e -> e.type().equals("request")))
                .allSatisfy(e -> assertThat(e.data().path("schema").path("json").asText()).contains("\"age\""));
        assertThat(events.stream().filter(e -> e.type().equals("message")).count()).isEqualTo(2);
        CliRun.Result replay = llmo.cli().env("MOCK_API_KEY", null).run("log", "replay", llmo.onlyId());
        // what the run printed: the answer that followed the schema, not the one before it
        assertThat(replay).succeeded().outIs("{\"name\":\"Rex\",\"age\":3,\"tags\":[]}\n");
    }

    @Test
    void whenTheRetriesRunOutTheLastViolationIsTheError() {
        for (int i = 0; i < 2; i++) {
            llmo.server().enqueue(OpenAiAnswers.streamed("{\"name\":1,\"age\":3,\"tags\":[]}"));
        }

        CliRun.Result result = llmo.run("run", "--schema", DOG, "--schema-retries", "1", "Invent a dog");

        assertThat(result).failedWith(ExitCode.FAILURE).outIsEmpty()
                .errContains("after 1 retry: at $.name: integer found, string expected");
        assertThat(llmo.server().getRequestCount()).isEqualTo(2);
    }

    @Test
    void eachRetryPassesTheBudget() {
        String long_ = "{\"name\":\"" + "lorem ipsum ".repeat(60) + "\",\"tags\":[]}";
        llmo.server().enqueue(OpenAiAnswers.streamed(long_));
        llmo.server().enqueue(OpenAiAnswers.streamed("{\"name\":\"Rex\",\"age\":3,\"tags\":[]}"));

        // $1,000 per million tokens: the first request's worst case fits in $0.20; the retry, which also carries the
        // long first answer and the violation, does not
        CliRun.Result result = llmo.run("run", "--schema", DOG, "--schema-retries", "3", "-o", "max_tokens=10",
                "--max-cost", "0.20", "Invent a dog");

        assertThat(result).failedWith(ExitCode.BUDGET).outIsEmpty();
        assertThat(llmo.server().getRequestCount()).isEqualTo(1);
    }

    @Test
    void schemaMultiAsksForItemsAndPrintsTheList() throws Exception {
        llmo.server().enqueue(OpenAiAnswers.streamed("{\"items\":[{\"name\":\"Rex\",\"age\":3,\"tags\":[]},"
                + "{\"name\":\"Ida\",\"age\":5,\"tags\":[\"calm\"]}]}"));

        CliRun.Result result = llmo.run("run", "--schema-multi", DOG, "Invent two dogs");

        assertThat(result).succeeded().outIs("[{\"name\":\"Rex\",\"age\":3,\"tags\":[]},{\"name\":\"Ida\",\"age\":5,"
                + "\"tags\":[\"calm\"]}]\n");
        assertThat(bodies().get(0)).contains("\"schema\":{\"type\":\"object\",\"properties\":{\"items\":{\"type\":"
                + "\"array\",\"items\":{\"type\":\"object\",\"properties\":{\"name\"");
        assertThat(llmo.cli().env("MOCK_API_KEY", null).run("log", "replay", llmo.onlyId())).succeeded()
                .outIs(result.out());
    }

    @Test
    void aSchemaFileIsRead() throws Exception {
        Files.writeString(llmo.home().resolve("dog.json"), "{\"type\":\"object\",\"properties\":{\"name\":"
                + "{\"type\":\"string\"}},\"required\":[\"name\"]}");
        llmo.server().enqueue(OpenAiAnswers.streamed("{\"name\":\"Rex\"}"));

        CliRun.Result result = llmo.cli().run("run", "--schema", llmo.home().resolve("dog.json").toString(), "Dog?");

        assertThat(result).succeeded().outIs("{\"name\":\"Rex\"}\n");
    }

    private void chains() {
        llmo.configYaml("""
                main_llm: mock/m
                chains:
                  article:
                    steps:
                      - name: outline
                        prompt: "Outline {{input}}"
                        schema:
                          type: object
                          properties: { title: { type: string }, sections: { type: array, items: { type: string } },
                                        subtitle: { type: string } }
                          required: [title, sections]
                        schema_retries: 1
                      - name: write
                        prompt: "Write {{outline.title}} with {{outline.sections}}; then {{outline.sections.1}}"
                  subtitled:
                    steps:
                      - name: outline
                        prompt: "Outline {{input}}"
                        schema: { type: object, properties: { title: { type: string }, subtitle: { type: string } } }
                      - name: write
                        prompt: "Write {{outline.subtitle}}"
                """);
    }

    @Test
    void aChainStepAnswersJsonAndALaterStepReadsItsFields() throws Exception {
        chains();
        llmo.server().enqueue(OpenAiAnswers.streamed("{\"title\":\"CRDTs\"}"));
        llmo.server().enqueue(OpenAiAnswers.streamed("{\"title\":\"CRDTs\",\"sections\":[\"Intro\",\"Merge\"]}"));
        llmo.server().enqueue(OpenAiAnswers.streamed("Done."));

        CliRun.Result result = llmo.run("chain", "run", "article", "CRDTs");

        assertThat(result).succeeded().outIs("Done.\n");
        List<String> bodies = bodies();
        assertThat(bodies).hasSize(3);
        assertThat(bodies.get(0)).contains("\"response_format\"");
        assertThat(bodies.get(1)).contains("required property 'sections' not found");
        assertThat(bodies.get(2)).contains("Write CRDTs with [\\\"Intro\\\",\\\"Merge\\\"]; then Merge")
                .doesNotContain("response_format");
        assertThat(llmo.cli().env("MOCK_API_KEY", null).run("log", "replay", llmo.onlyId())).succeeded();
    }

    @Test
    void aChainStepThatBreaksItsSchemaNamesTheStepsSchemaRetriesNotTheFlagChainsLack() {
        chains();
        llmo.server().enqueue(OpenAiAnswers.streamed("{\"title\":\"CRDTs\"}"));
        llmo.server().enqueue(OpenAiAnswers.streamed("{\"title\":\"CRDTs\"}"));
        llmo.server().enqueue(OpenAiAnswers.streamed("{\"title\":7}"));

        CliRun.Result retried = llmo.run("chain", "run", "article", "CRDTs");
        CliRun.Result once = llmo.run("chain", "run", "subtitled", "CRDTs");

        String config = llmo.home().resolve("llmo").resolve("config.yaml").toString();
        assertThat(retried).failedWith(ExitCode.FAILURE).errDoesNotContain("--schema-retries")
                .errContains("the answer of mock/m does not follow the schema after 1 retry: at $: required property "
                        + "'sections' not found; raise schema_retries: (1 now) in step 'outline' of chain 'article' ("
                        + config + ":5:");
        assertThat(retried.err()).endsWith("), or loosen the schema\n");
        assertThat(once).failedWith(ExitCode.FAILURE).errDoesNotContain("--schema-retries")
                .errContains("; ask again with schema_retries: N in step 'outline' of chain 'subtitled' (" + config
                        + ":17:");
        assertThat(llmo.server().getRequestCount()).isEqualTo(3);
    }

    @Test
    void aFieldTheAnswerLacksStopsTheChainNamingTheChainTheStepAndTheField() {
        chains();
        llmo.server().enqueue(OpenAiAnswers.streamed("{\"title\":\"CRDTs\"}"));

        CliRun.Result result = llmo.run("chain", "run", "subtitled", "CRDTs");

        // the answer the field was read from is shown, not left in the log
        assertThat(result).failedWith(ExitCode.FAILURE).outIs("== outline mock/m ==\n{\"title\":\"CRDTs\"}\n")
                .errContains("chain 'subtitled', step 'write': "
                + "{{outline.subtitle}} reads field 'subtitle' of step 'outline', but its answer has no field "
                + "'subtitle'");
        assertThat(llmo.server().getRequestCount()).isEqualTo(1);
    }

    @Test
    void chainValidateNamesAFieldTheSchemaDoesNotHave() {
        llmo.configYaml("""
                main_llm: mock/m
                chains:
                  typo:
                    steps:
                      - { name: outline, schema: "title, sections [str]" }
                      - { name: write, prompt: "{{outline.titel}}" }
                """);

        assertThat(llmo.run("chain", "validate", "typo")).failedWith(ExitCode.CONFIG)
                .errContains("chain 'typo', step 'write': the prompt reads field 'titel' of step 'outline'");
    }

    @Test
    void chatSlashSchemaAsksForJsonFromTheNextTurnAndDashEndsIt() throws Exception {
        llmo.server().enqueue(OpenAiAnswers.streamed("{\"name\":\"Rex\"}"));
        llmo.server().enqueue(OpenAiAnswers.streamed("Plain again."));

        CliRun.Result result = llmo.cli().stdin("/schema name\nInvent a dog\n/schema\n/schema -\nThanks\n")
                .run("chat");

        assertThat(result).succeeded().outContains("{\"name\":\"Rex\"}\n", "answers follow {\"type\":\"object\"",
                "Plain again.");
        List<String> bodies = bodies();
        assertThat(bodies.get(0)).contains("\"response_format\"");
        assertThat(bodies.get(1)).doesNotContain("response_format");
        assertThat(llmo.cli().stdin("/schema name, age inte\n").run("chat")).failedWith(ExitCode.USAGE)
                .errContains("/schema: field 2 ('age inte'): unknown type 'inte'");
    }

    @Test
    void aDryRunCountsTheSchema() throws Exception {
        long without = JSON.readTree(llmo.run("run", "--dry-run", "--json", "Invent a dog").out())
                .path("input_tokens").asLong();
        long with = JSON.readTree(llmo.run("run", "--dry-run", "--json", "--schema", DOG, "Invent a dog").out())
                .path("input_tokens").asLong();

        assertThat(with).isGreaterThan(without + 10);
        assertThat(llmo.server().getRequestCount()).isZero();
    }

    @Test
    void badSchemasAreUsageErrorsBeforeAnythingIsSent() {
        assertThat(llmo.run("run", "--schema", "name, age inte", "x")).failedWith(ExitCode.USAGE)
                .errContains("--schema: field 2 ('age inte'): unknown type 'inte'");
        assertThat(llmo.run("run", "--schema", "{\"type\":\"object\",", "x")).failedWith(ExitCode.USAGE)
                .errContains("--schema: the schema (inline JSON) is not JSON");
        assertThat(llmo.run("run", "--schema", "{\"type\":\"array\"}", "x")).failedWith(ExitCode.USAGE)
                .errContains("top level of a schema must be an object", "--schema-multi");
        assertThat(llmo.run("run", "--schema", "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"strnig\"}}}",
                "x")).failedWith(ExitCode.USAGE).errContains("not a valid JSON Schema: at $.properties.a.type");
        assertThat(llmo.run("run", "--schema", "missing.json", "x")).failedWith(ExitCode.USAGE)
                .errContains("no such file: missing.json");
        assertThat(llmo.run("run", "--schema-retries", "2", "x")).failedWith(ExitCode.USAGE)
                .errContains("--schema-retries needs --schema");
        assertThat(llmo.run("run", "--schema", "a", "--schema-multi", "b", "x")).failedWith(ExitCode.USAGE);
        assertThat(llmo.server().getRequestCount()).isZero();
    }
}
