package dev.llmo.cli;

import static dev.llmo.cli.CliRunAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmo.failure.ExitCode;
import dev.llmo.tool.mcp.ReferenceServer;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code llmo tools list} against the real reference server and a command tool. */
class ToolsCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final LlmoFixture llmo = LlmoFixture.create();

    private static String yamlList(List<String> items) {
        return items.stream().map(i -> "\"" + i + "\"").collect(Collectors.joining(", ", "[", "]"));
    }

    private void configure(String extraServers) {
        List<String> everything = ReferenceServer.everythingCommand();
        llmo.configYaml("mcp_servers:\n"
                + "  every: { command: " + everything.get(0) + ", args: " + yamlList(everything.subList(1, everything.size()))
                + " }\n" + extraServers
                + "tools:\n"
                + "  wc: { description: \"Count words\", command: [wc, -w], "
                + "schema: { type: object, properties: { text: { type: string } } } }\n"
                + "tool_policy:\n"
                + "  - { tool: \"every.get-*\", decision: allow }\n"
                + "  - { tool: \"every.echo\", args_match: \"rm\", decision: deny }\n"
                + "  - { tool: \"wc\", decision: deny }\n");
    }

    @Test
    void listsEveryToolWithSourceSchemaAndPolicy() {
        configure("");

        var result = llmo.run("tools", "list");

        assertThat(result).succeeded().errIs("");
        List<String> lines = result.out().lines().toList();
        assertThat(lines.get(0)).matches("NAME +SOURCE +SCHEMA +POLICY +DESCRIPTION");
        assertThat(lines).anySatisfy(l -> assertThat(l).matches("wc +command +[0-9a-f]{12} +deny \\(rule 3, "
                + "config.yaml:8\\) +Count words"));
        assertThat(lines).anySatisfy(l -> assertThat(l).matches("every\\.get-sum +mcp:every +[0-9a-f]{12} +allow "
                + "\\(rule 1, config.yaml:6\\) +\\S.*"));
        assertThat(lines).as("a rule with args_match is not shown").anySatisfy(l -> assertThat(l)
                .matches("every\\.echo +mcp:every +[0-9a-f]{12} +ask \\(default\\) +\\S.*"));
        assertThat(llmo.dir().resolve("tools/logs/every.log")).exists();
    }

    @Test
    void jsonIsOneObjectPerToolWithTheFullSchemaHashAndWhoDecided() throws IOException {
        configure("");

        var result = llmo.run("tools", "list", "--json");

        assertThat(result).succeeded();
        List<JsonNode> rows = new ArrayList<>();
        for (String line : result.out().lines().toList()) {
            rows.add(JSON.readTree(line));
        }
        JsonNode wc = rows.stream().filter(r -> r.path("name").asText().equals("wc")).findFirst().orElseThrow();
        assertThat(wc.path("source").asText()).isEqualTo("command");
        assertThat(wc.path("description").asText()).isEqualTo("Count words");
        assertThat(wc.path("schema_sha256").asText()).matches("[0-9a-f]{64}");
        assertThat(wc.path("decision").asText()).isEqualTo("deny");
        assertThat(wc.path("decided_by").asText()).isEqualTo("tool_policy rule 3 ("
                + llmo.dir().resolve("config.yaml") + ":8)");
        assertThat(rows).extracting(r -> r.path("name").asText()).contains("every.echo", "every.get-env");
        assertThat(rows).allSatisfy(r -> assertThat(r.fieldNames()).toIterable()
                .containsExactly("name", "source", "description", "schema_sha256", "decision", "decided_by"));
    }

    @Test
    void aServerThatFailsToStartIsOneErrorLineAndExitOneAfterTheOthers() throws IOException {
        configure("  broken: { command: /nonexistent/mcp-server }\n");

        var result = llmo.run("tools", "list");

        assertThat(result).failedWith(ExitCode.FAILURE).outContains("every.echo", "wc ");
        assertThat(result.err().lines().toList()).singleElement().satisfies(l -> assertThat(l)
                .startsWith("llmo: error: cannot start MCP server broken"));
    }

    @Test
    void onATerminalDescriptionsAreCutToItsWidth() {
        configure("");

        var result = llmo.cli().tty("o").env("COLUMNS", "70").run("tools", "list");

        assertThat(result).succeeded();
        assertThat(result.out().lines()).allSatisfy(l -> assertThat(l.codePointCount(0, l.length())).isLessThanOrEqualTo(70));
        assertThat(result.out()).contains("…");
    }

    @Test
    void withoutToolsItSaysHowToConfigureThem() {
        assertThat(llmo.run("tools", "list")).succeeded().outIs("").errContains("no tools are configured");
    }

    @Test
    void anUntrustedProjectsServersAreNotStarted() throws IOException {
        var project = Files.createDirectories(llmo.home().resolve("work/.llmo"));
        Files.writeString(project.resolve("config.yaml"), "mcp_servers:\n  evil: { command: touch, args: ["
                + llmo.home().resolve("ran") + "] }\n");

        var result = llmo.cli().workingDir(project.getParent()).run("tools", "list");

        assertThat(result).failedWith(ExitCode.CONFIG).errContains("llmo trust");
        assertThat(llmo.home().resolve("ran")).doesNotExist();
    }
}
