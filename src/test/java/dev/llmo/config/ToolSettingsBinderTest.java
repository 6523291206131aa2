package dev.llmo.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmo.config.ConfigNode.MapNode;
import dev.llmo.failure.ConfigException;
import dev.llmo.failure.ExitCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tool keys of config.yaml, read from real files through the loader, errors with their file:line and fix. */
class ToolSettingsBinderTest {
    @TempDir
    Path tmp;
    Path user;
    AppDirs dirs;

    @BeforeEach
    void setUp() throws IOException {
        user = Files.createDirectories(tmp.resolve("config"));
        dirs = new AppDirs(user, tmp.resolve("data"), tmp.resolve("etc"));
    }

    /**
     * A command tool's schema is written as Jackson's mapper wrote the configuration's plain values, for every kind
     * of value YAML gives (the schema's digest is recorded in the event log and compared on replay).
     */
    @Test
    void aToolsSchemaIsWrittenAsTheMapperWroteIt() throws Exception {
        String schema = "type: object\nproperties:\n  t: { type: string, pattern: \"^a\\\"b\\\\é\\u2028\\t$\" }\n"
                + "  n: { type: number, minimum: -1.50, maximum: 1e3, multipleOf: 0.000100 }\n"
                + "  i: { type: integer, maximum: 123456789012345678901234567890, minimum: -9223372036854775808 }\n"
                + "  e: { enum: [true, false, ~, 0, -0.0, 'x', \"\"] }\nrequired: [t]\nadditionalProperties: false\n";
        String yaml = "tools:\n  w:\n    description: W\n    command: [wc]\n    schema:\n"
                + schema.lines().map(line -> "      " + line + "\n").collect(java.util.stream.Collectors.joining());
        MapNode parsed = YamlFiles.parse(schema, "schema.yaml", "user");

        String written = load(yaml).commandTools().get("w").schemaJson();

        assertThat(written).isEqualTo(new com.fasterxml.jackson.databind.ObjectMapper()
                .writeValueAsString(ConfigFields.plain(parsed)));
        assertThat(written).contains("\"minimum\":-1.50", "\"maximum\":1E+3", "123456789012345678901234567890");
    }

    private ToolSettings load(String configYaml) throws IOException {
        Files.writeString(user.resolve("config.yaml"), configYaml);
        return ConfigLoader.load(dirs, tmp, Map.of()).tools();
    }

    private ConfigException error(String configYaml) throws IOException {
        ConfigException e = sharedError(configYaml);
        assertThat(e.fix()).as("every tool setting error says how to fix it").isNotBlank();
        return e;
    }

    /** An error of the checks every config key shares (unknown keys, numbers), which carry no separate fix. */
    private ConfigException sharedError(String configYaml) throws IOException {
        Files.writeString(user.resolve("config.yaml"), configYaml);
        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> ConfigLoader.load(dirs, tmp, Map.of()));
        assertThat(thrown).isInstanceOf(ConfigException.class);
        ConfigException e = (ConfigException) thrown;
        assertThat(e.exitCode()).isEqualTo(ExitCode.CONFIG);
        return e;
    }

    private String file() {
        return user.resolve("config.yaml").toString();
    }

    @Test
    void withoutToolKeysThereAreNoTools() throws IOException {
        assertThat(load("main_llm: ollama\n")).isEqualTo(ToolSettings.NONE);
    }

    @Test
    void theDesignExampleBindsEveryKey() throws IOException {
        ToolSettings tools = load("""
                mcp_servers:
                  fs:  { command: npx, args: [-y, "@modelcontextprotocol/server-filesystem", "."], env: { A: "1", T: "${vault:FS_TOKEN}" }, cwd: /srv, sandbox: true, enabled: true }
                  web: { url: "https://example.org/mcp", headers: { Authorization: "Bearer ${vault:WEB_TOKEN}" } }
                tools:
                  wc:  { description: "Count words", command: [wc, -w], schema: { type: object, properties: { text: { type: string } } } }
                  date: { description: Today, command: date, timeout: 5, env: { TZ: "${env:TZ}" }, sandbox: true, enabled: true }
                tool_policy:
                  - { tool: "fs.read_*", decision: allow }
                  - { tool: "fs.write_*", decision: ask }
                  - { tool: "*", args_match: "rm -rf", decision: deny }
                sandbox: { writable: [./scratch], network: false }
                """);

        McpServerSpec fs = tools.mcpServers().get("fs");
        assertThat(fs.command()).containsExactly("npx", "-y", "@modelcontextprotocol/server-filesystem", ".");
        assertThat(fs.env()).containsExactlyInAnyOrderEntriesOf(Map.of("A", "1", "T", "${vault:FS_TOKEN}"));
        assertThat(fs.cwd()).isEqualTo("/srv");
        assertThat(fs.sandbox()).isTrue();
        assertThat(fs.enabled()).isTrue();
        assertThat(fs.remote()).isFalse();
        assertThat(fs.origin().where()).isEqualTo(file() + ":2:8");
        McpServerSpec web = tools.mcpServers().get("web");
        assertThat(web.remote()).isTrue();
        assertThat(web.url()).isEqualTo("https://example.org/mcp");
        assertThat(web.headers()).containsEntry("Authorization", "Bearer ${vault:WEB_TOKEN}");
        assertThat(web.enabled()).isFalse();

        assertThat(tools.commandTools()).containsOnlyKeys("wc", "date");
        CommandToolSpec wc = tools.commandTools().get("wc");
        assertThat(wc.command()).containsExactly("wc", "-w");
        assertThat(wc.schemaJson()).isEqualTo("{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\"}}}");
        assertThat(wc.timeoutSeconds()).isEqualTo(ToolSettingsBinder.DEFAULT_TIMEOUT_SECONDS).isEqualTo(60);
        assertThat(wc.enabled()).isFalse();
        assertThat(wc.sandbox()).isFalse();
        CommandToolSpec date = tools.commandTools().get("date");
        assertThat(date.command()).containsExactly("date");
        assertThat(date.schemaJson()).isEqualTo("{\"type\":\"object\"}");
        assertThat(date.timeoutSeconds()).isEqualTo(5);
        assertThat(date.env()).containsEntry("TZ", "${env:TZ}");
        assertThat(date.sandbox()).isTrue();

        assertThat(tools.policy()).extracting(PolicyRule::toolGlob, PolicyRule::argsMatch, PolicyRule::decision)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("fs.read_*", null, PolicyRule.Decision.ALLOW),
                        org.assertj.core.groups.Tuple.tuple("fs.write_*", null, PolicyRule.Decision.ASK),
                        org.assertj.core.groups.Tuple.tuple("*", "rm -rf", PolicyRule.Decision.DENY));
        assertThat(tools.policy().get(2).origin().where()).isEqualTo(file() + ":10:5");
        assertThat(tools.sandbox()).isEqualTo(new SandboxSpec(List.of("./scratch"), false));
    }

    @Test
    void aHigherLayerRemovesAServerWithNull() throws IOException {
        Files.createDirectories(tmp.resolve("etc"));
        Files.writeString(tmp.resolve("etc/config.yaml"), "mcp_servers:\n  fs: { command: npx }\n  git: { command: git-mcp }\n");

        ToolSettings tools = load("mcp_servers:\n  fs: ~\n");

        assertThat(tools.mcpServers()).containsOnlyKeys("git");
    }

    @Test
    void aServerWaitsTheTimeItsEntrySaysForEachAnswerAndTwoMinutesWhenItSaysNone() throws IOException {
        ToolSettings tools = load("mcp_servers:\n  fs: { command: npx, timeout: 5 }\n"
                + "  web: { url: \"https://x.org/mcp\", timeout: 300 }\n  git: { command: git-mcp }\n");

        assertThat(tools.mcpServers().get("fs").timeoutSeconds()).isEqualTo(5);
        assertThat(tools.mcpServers().get("web").timeoutSeconds()).isEqualTo(300);
        assertThat(tools.mcpServers().get("git").timeoutSeconds()).isEqualTo(120);
        assertThat(error("mcp_servers:\n  fs: { command: npx, timeout: 0 }\n").getMessage()).contains("timeout");
    }

    @Test
    void aServerNeedsExactlyOneOfCommandAndUrl() throws IOException {
        assertThat(error("mcp_servers:\n  fs: { command: npx, url: \"https://x.org/mcp\" }\n"))
                .hasMessage(file() + ":2:7: MCP server 'fs' has both 'command' and 'url'");
        assertThat(error("mcp_servers:\n  fs: { args: [a] }\n"))
                .hasMessage(file() + ":2:7: MCP server 'fs' needs 'command' (a local server) or 'url' (a remote one)");
    }

    @Test
    void keysOfTheOtherKindOfServerAreRefused() throws IOException {
        assertThat(error("mcp_servers:\n  web: { url: \"https://x.org/mcp\", sandbox: true }\n"))
                .hasMessage(file() + ":2:36: 'sandbox' does not apply to MCP server 'web', a remote server (url)");
        assertThat(error("mcp_servers:\n  fs: { command: npx, headers: { A: b } }\n"))
                .hasMessageStartingWith(file() + ":2:23: 'headers' does not apply to MCP server 'fs', a local server");
    }

    @Test
    void badNamesAndValuesAreRefusedWithTheirPlace() throws IOException {
        assertThat(error("mcp_servers:\n  my.fs: { command: npx }\n"))
                .hasMessage(file() + ":2:3: MCP server name 'my.fs' may only hold letters, digits, _ and -");
        assertThat(error("tools:\n  \"word count\": { description: d, command: wc }\n"))
                .hasMessageStartingWith(file() + ":2:3: command tool name 'word count' may only hold");
        assertThat(error("mcp_servers:\n  fs: { command: [npx, -y] }\n"))
                .hasMessageStartingWith(file() + ":2:18: 'command' of MCP server 'fs' must be the program to run");
        assertThat(error("mcp_servers:\n  web: { url: \"ftp://x.org\" }\n"))
                .hasMessage(file() + ":2:15: url 'ftp://x.org' is not an http:// or https:// URL");
        assertThat(error("mcp_servers:\n  fs: { command: npx, env: { \"A-B\": x } }\n"))
                .hasMessage(file() + ":2:30: 'A-B' in 'env' of MCP server 'fs' is not a variable name");
        assertThat(error("mcp_servers:\n  fs: { command: npx, env: { A: [x] } }\n"))
                .hasMessageStartingWith(file() + ":2:33: 'A' in 'env' of MCP server 'fs' must be text");
        assertThat(error("mcp_servers:\n  fs: { command: npx, sandbox: yes please }\n"))
                .hasMessage(file() + ":2:32: 'sandbox' of MCP server 'fs' must be true or false, got text \"yes please\"");
        assertThat(sharedError("mcp_servers:\n  fs: { command: npx, cmd: x }\n"))
                .hasMessageContaining(":2:23: unknown key 'cmd' in MCP server 'fs'");
    }

    @Test
    void onlyEnvAndVaultReferencesAreAllowedInValues() throws IOException {
        ConfigException e = error("mcp_servers:\n  web: { url: \"https://x.org/mcp\", headers: { Authorization: "
                + "\"Bearer ${keychain:TOKEN}\" } }\n");
        assertThat(e).hasMessage(file() + ":2:62: 'Authorization' in 'headers' of MCP server 'web' has "
                + "'${keychain:TOKEN}', which is neither ${env:NAME} nor ${vault:NAME}");
        assertThat(load("tools:\n  t: { description: d, command: t, env: { K: \"${env:HOME}:${vault:K_2}\" } }\n")
                .commandTools().get("t").env()).containsEntry("K", "${env:HOME}:${vault:K_2}");
    }

    @Test
    void aCommandToolNeedsADescriptionACommandAndAnObjectSchema() throws IOException {
        assertThat(error("tools:\n  wc: { command: [wc] }\n"))
                .hasMessage(file() + ":2:7: command tool 'wc' needs a 'description'");
        assertThat(error("tools:\n  wc: { description: d }\n"))
                .hasMessage(file() + ":2:7: command tool 'wc' needs a 'command'");
        assertThat(error("tools:\n  wc: { description: d, command: [] }\n"))
                .hasMessage(file() + ":2:34: 'command' of command tool 'wc' is empty");
        assertThat(error("tools:\n  wc: { description: d, command: wc, schema: { type: string } }\n"))
                .hasMessage(file() + ":2:54: the 'schema' of command tool 'wc' must describe an object (type: object), "
                        + "not text \"string\"");
        assertThat(sharedError("tools:\n  wc: { description: d, command: wc, timeout: 0 }\n"))
                .hasMessageContaining(":2:47: 'timeout' of command tool 'wc' must be a whole number above 0");
        assertThat(error("tools:\n  fs: { description: d, command: wc }\nmcp_servers:\n  fs: { command: npx }\n"))
                .hasMessage(file() + ":2:7: command tool 'fs' has the name of an MCP server (" + file() + ":4:7)");
    }

    @Test
    void policyRulesNeedAToolAndAKnownDecisionAndAValidRegex() throws IOException {
        assertThat(error("tool_policy:\n  - { tool: \"*\", args_match: \"rm (-rf\", decision: deny }\n"))
                .hasMessageStartingWith(file() + ":2:30: 'args_match' is not a regular expression: Unclosed group");
        assertThat(error("tool_policy:\n  - { tool: \"*\", decision: maybe }\n"))
                .hasMessage(file() + ":2:28: unknown decision 'maybe'");
        assertThat(error("tool_policy:\n  - { decision: deny }\n"))
                .hasMessage(file() + ":2:5: a tool_policy rule needs 'tool'");
        assertThat(error("tool_policy:\n  - { tool: x }\n"))
                .hasMessage(file() + ":2:5: a tool_policy rule needs 'decision'");
        assertThat(error("tool_policy: { tool: x, decision: deny }\n"))
                .hasMessage(file() + ":1:14: tool_policy must be a list of rules, not a mapping");
    }

    @Test
    void theSandboxTakesOnePathOrAListAndTheNetworkFlag() throws IOException {
        assertThat(load("sandbox: { writable: /tmp/out }\n").sandbox()).isEqualTo(new SandboxSpec(List.of("/tmp/out"), false));
        assertThat(load("sandbox: { network: true }\n").sandbox()).isEqualTo(new SandboxSpec(List.of(), true));
        assertThat(error("sandbox: { network: 1 }\n")).hasMessageStartingWith(file() + ":1:21: 'network' of sandbox");
        assertThat(sharedError("sandbox: { writeable: [a] }\n")).hasMessageContaining("did you mean 'writable'?");
    }
}
