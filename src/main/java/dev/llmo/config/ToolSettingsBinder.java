package dev.llmo.config;

import dev.llmo.config.ConfigNode.ListNode;
import dev.llmo.config.ConfigNode.MapNode;
import dev.llmo.config.ConfigNode.ScalarNode;
import dev.llmo.failure.ConfigException;
import dev.llmo.json.JsonTrees;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Binds the tool keys of config.yaml (design.md "Tools"): {@code mcp_servers}, {@code tools}, {@code tool_policy} and
 * {@code sandbox}. Secrets are only named here ({@code ${env:NAME}}, {@code ${vault:NAME}}); they are resolved when a
 * server or tool starts, so that a configuration error can never show one.
 */
final class ToolSettingsBinder {
    static final List<String> STDIO_KEYS = List.of("command", "args", "env", "cwd", "sandbox", "enabled", "timeout");
    static final List<String> HTTP_KEYS = List.of("url", "headers", "enabled", "timeout");
    static final List<String> SERVER_KEYS = List.of("command", "args", "env", "cwd", "sandbox", "enabled", "url",
            "headers", "timeout");
    static final List<String> TOOL_KEYS = List.of("description", "command", "schema", "env", "cwd", "timeout",
            "sandbox", "enabled");
    static final List<String> RULE_KEYS = List.of("tool", "args_match", "decision");
    /** How long one command-tool call may run when its entry sets no {@code timeout}. */
    static final long DEFAULT_TIMEOUT_SECONDS = 60;
    /** The schema of a command tool that declares none: any object. */
    static final String DEFAULT_SCHEMA = "{\"type\":\"object\"}";

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]+");
    private static final Pattern VARIABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern HEADER = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final Pattern REFERENCE = Pattern.compile("\\$\\{([^}]*)}");
    private static final Pattern GOOD_REFERENCE = Pattern.compile("(env|vault):[A-Za-z_][A-Za-z0-9_]*");

    private ToolSettingsBinder() {
    }

    static ToolSettings bind(MapNode config) {
        Map<String, McpServerSpec> servers = servers(config.get("mcp_servers"));
        Map<String, CommandToolSpec> tools = tools(config.get("tools"));
        for (CommandToolSpec tool : tools.values()) {
            if (servers.containsKey(tool.name())) {
                throw new ConfigException(tool.origin().where() + ": command tool '" + tool.name()
                        + "' has the name of an MCP server (" + servers.get(tool.name()).origin().where() + ")",
                        "rename one of them: -T " + tool.name() + " must say which one it means");
            }
        }
        return new ToolSettings(servers, tools, policy(config.get("tool_policy")), sandbox(config.get("sandbox")));
    }

    private static boolean absent(ConfigNode node) {
        return node == null || node instanceof ScalarNode s && s.value() == null;
    }

    private static Map<String, McpServerSpec> servers(ConfigNode node) {
        Map<String, McpServerSpec> servers = new LinkedHashMap<>();
        if (absent(node)) {
            return servers;
        }
        MapNode all = ConfigFields.map(node, "mcp_servers");
        all.entries().forEach((name, value) -> {
            if (absent(value)) {
                return; // "fs: ~" in a higher layer removes a server
            }
            checkName(all, name, "MCP server");
            servers.put(name, server(name, value));
        });
        return servers;
    }

    private static McpServerSpec server(String name, ConfigNode node) {
        String what = "MCP server '" + name + "'";
        MapNode map = ConfigFields.map(node, what);
        ConfigFields.onlyKeys(map, what, SERVER_KEYS);
        boolean stdio = !absent(map.get("command"));
        boolean http = !absent(map.get("url"));
        if (stdio == http) {
            throw new ConfigException(map.origin().where() + ": " + what + (stdio ? " has both 'command' and 'url'"
                    : " needs 'command' (a local server) or 'url' (a remote one)"),
                    "set exactly one: command: PROGRAM with args: [...], or url: https://...");
        }
        boolean enabled = ConfigFields.bool(map, "enabled", what, false);
        Long timeout = ConfigFields.positiveLong(map, "timeout", what, 60);
        long timeoutSeconds = timeout == null ? McpServerSpec.DEFAULT_TIMEOUT_SECONDS : timeout;
        if (http) {
            onlyFor(map, what, HTTP_KEYS, "a remote server (url)");
            String url = ConfigFields.string(map, "url", what);
            ConfigFields.httpUrl(map.get("url"), "url", url,
                    "write the server's Streamable HTTP endpoint, such as https://example.org/mcp");
            Map<String, String> headers = values(map.get("headers"), "headers", what, HEADER, "a header name");
            return new McpServerSpec(name, List.of(), Map.of(), null, url, headers, false, enabled, map.origin(),
                    timeoutSeconds);
        }
        onlyFor(map, what, STDIO_KEYS, "a local server (command)");
        List<String> command = new ArrayList<>();
        ConfigNode program = map.get("command");
        if (!(program instanceof ScalarNode s) || !(s.value() instanceof String text) || text.isBlank()) {
            throw new ConfigException(program.origin().where() + ": 'command' of " + what + " must be the program "
                    + "to run, got " + ConfigFields.describe(program), "put its arguments under args: [...]");
        }
        command.add(text);
        command.addAll(ConfigFields.strings(map, "args", what));
        return new McpServerSpec(name, command, values(map.get("env"), "env", what, VARIABLE, "a variable name"),
                ConfigFields.string(map, "cwd", what), null, Map.of(), ConfigFields.bool(map, "sandbox", what, false),
                enabled, map.origin(), timeoutSeconds);
    }

    /** Rejects a key of the other kind of server (a stdio key on a remote server, or the reverse). */
    private static void onlyFor(MapNode map, String what, List<String> allowed, String kind) {
        for (String key : map.entries().keySet()) {
            if (!allowed.contains(key) && !absent(map.get(key))) {
                throw new ConfigException(map.keyOrigin(key).where() + ": '" + key + "' does not apply to " + what
                        + ", " + kind, "the keys of " + kind + " are " + String.join(", ", allowed));
            }
        }
    }

    private static Map<String, CommandToolSpec> tools(ConfigNode node) {
        Map<String, CommandToolSpec> tools = new LinkedHashMap<>();
        if (absent(node)) {
            return tools;
        }
        MapNode all = ConfigFields.map(node, "tools");
        all.entries().forEach((name, value) -> {
            if (absent(value)) {
                return;
            }
            checkName(all, name, "command tool");
            tools.put(name, tool(name, value));
        });
        return tools;
    }

    private static CommandToolSpec tool(String name, ConfigNode node) {
        String what = "command tool '" + name + "'";
        MapNode map = ConfigFields.map(node, what);
        ConfigFields.onlyKeys(map, what, TOOL_KEYS);
        String description = ConfigFields.string(map, "description", what);
        if (description == null || description.isBlank()) {
            throw new ConfigException(map.origin().where() + ": " + what + " needs a 'description'",
                    "say in a sentence what it does: the model reads it to decide when to call the tool");
        }
        ConfigNode commandNode = map.get("command");
        if (absent(commandNode)) {
            throw new ConfigException(map.origin().where() + ": " + what + " needs a 'command'",
                    "write command: [PROGRAM, ARG, ...]; it runs without a shell, the arguments as JSON on stdin");
        }
        List<String> command = ConfigFields.strings(map, "command", what);
        if (command.isEmpty() || command.get(0).isBlank()) {
            throw new ConfigException(commandNode.origin().where() + ": 'command' of " + what + " is empty",
                    "write command: [PROGRAM, ARG, ...]");
        }
        Long timeout = ConfigFields.positiveLong(map, "timeout", what, 60);
        return new CommandToolSpec(name, description.strip(), schema(map.get("schema"), what), command,
                values(map.get("env"), "env", what, VARIABLE, "a variable name"), ConfigFields.string(map, "cwd", what),
                timeout == null ? DEFAULT_TIMEOUT_SECONDS : timeout, ConfigFields.bool(map, "sandbox", what, false),
                ConfigFields.bool(map, "enabled", what, false), map.origin());
    }

    private static String schema(ConfigNode node, String what) {
        if (absent(node)) {
            return DEFAULT_SCHEMA;
        }
        MapNode map = ConfigFields.map(node, "'schema' of " + what);
        ConfigNode type = map.get("type");
        if (type != null && !(type instanceof ScalarNode s && "object".equals(s.value()))) {
            throw new ConfigException(type.origin().where() + ": the 'schema' of " + what + " must describe an object"
                    + " (type: object), not " + ConfigFields.describe(type),
                    "models pass a tool's arguments as one JSON object: put each argument under properties:");
        }
        return JsonTrees.write(JsonTrees.PLAIN_FACTORY, ConfigNode.json(map));
    }

    private static List<PolicyRule> policy(ConfigNode node) {
        List<PolicyRule> rules = new ArrayList<>();
        if (absent(node)) {
            return rules;
        }
        if (!(node instanceof ListNode list)) {
            throw new ConfigException(node.origin().where() + ": tool_policy must be a list of rules, not "
                    + node.kind(), "write each rule as an item: - { tool: \"fs.read_*\", decision: allow }");
        }
        for (ConfigNode item : list.items()) {
            String what = "a tool_policy rule";
            MapNode map = ConfigFields.map(item, what);
            ConfigFields.onlyKeys(map, what, RULE_KEYS);
            String tool = ConfigFields.string(map, "tool", what);
            if (tool == null || tool.isBlank()) {
                throw new ConfigException(map.origin().where() + ": " + what + " needs 'tool'",
                        "name the tools it applies to: a name or a glob (fs.read_*, *)");
            }
            String argsMatch = ConfigFields.string(map, "args_match", what);
            if (argsMatch != null) {
                try {
                    Pattern.compile(argsMatch);
                } catch (PatternSyntaxException e) {
                    throw new ConfigException(map.get("args_match").origin().where() + ": 'args_match' is not a "
                            + "regular expression: " + e.getDescription() + " near index " + e.getIndex(),
                            "it is a Java regular expression searched in the arguments' JSON text; "
                                    + "escape special characters with \\");
                }
            }
            rules.add(new PolicyRule(tool, argsMatch, decision(map, what), map.origin()));
        }
        return rules;
    }

    private static PolicyRule.Decision decision(MapNode map, String what) {
        String decision = ConfigFields.string(map, "decision", what);
        if (decision == null) {
            throw new ConfigException(map.origin().where() + ": " + what + " needs 'decision'",
                    "add decision: allow, ask or deny");
        }
        for (PolicyRule.Decision d : PolicyRule.Decision.values()) {
            if (d.name().toLowerCase(Locale.ROOT).equals(decision)) {
                return d;
            }
        }
        throw new ConfigException(map.get("decision").origin().where() + ": unknown decision '" + decision + "'",
                "the decisions are allow, ask and deny");
    }

    private static SandboxSpec sandbox(ConfigNode node) {
        if (absent(node)) {
            return SandboxSpec.DEFAULT;
        }
        MapNode map = ConfigFields.map(node, "sandbox");
        ConfigFields.onlyKeys(map, "sandbox", List.of("writable", "network"));
        List<String> writable = ConfigFields.strings(map, "writable", "sandbox");
        for (String path : writable) {
            if (path.isBlank()) {
                throw new ConfigException(map.get("writable").origin().where() + ": an empty path in sandbox.writable",
                        "name a directory a sandboxed tool may write, or leave writable out for a scratch directory");
            }
        }
        return new SandboxSpec(writable, ConfigFields.bool(map, "network", "sandbox", false));
    }

    private static void checkName(MapNode all, String name, String kind) {
        if (!NAME.matcher(name).matches()) {
            throw new ConfigException(all.keyOrigin(name).where() + ": " + kind + " name '" + name
                    + "' may only hold letters, digits, _ and -", "rename it: a tool is called "
                    + (kind.equals("MCP server") ? "SERVER.TOOL" : "by its name") + ", so '.' and spaces cannot be in it");
        }
    }

    /**
     * A mapping of names to text values ({@code env}, {@code headers}), each value literal or holding
     * {@code ${env:NAME}} / {@code ${vault:NAME}} references.
     */
    private static Map<String, String> values(ConfigNode node, String key, String what, Pattern names,
                                              String nameKind) {
        Map<String, String> values = new LinkedHashMap<>();
        if (absent(node)) {
            return values;
        }
        MapNode map = ConfigFields.map(node, "'" + key + "' of " + what);
        map.entries().forEach((name, value) -> {
            if (!names.matcher(name).matches()) {
                throw new ConfigException(map.keyOrigin(name).where() + ": '" + name + "' in '" + key + "' of " + what
                        + " is not " + nameKind, nameKind.equals("a variable name")
                        ? "use letters, digits and _, not starting with a digit" : "use a plain HTTP header name");
            }
            if (!(value instanceof ScalarNode s) || s.value() == null) {
                throw new ConfigException(value.origin().where() + ": '" + name + "' in '" + key + "' of " + what
                        + " must be text, got " + ConfigFields.describe(value),
                        "write the value, or ${env:NAME} or ${vault:NAME} to take it from there when it starts");
            }
            String text = s.text();
            Matcher reference = REFERENCE.matcher(text);
            while (reference.find()) {
                if (!GOOD_REFERENCE.matcher(reference.group(1)).matches()) {
                    throw new ConfigException(value.origin().where() + ": '" + name + "' in '" + key + "' of " + what
                            + " has '" + reference.group() + "', which is neither ${env:NAME} nor ${vault:NAME}",
                            "write ${env:NAME} for an environment variable or ${vault:NAME} for a vault entry");
                }
            }
            values.put(name, text);
        });
        return values;
    }
}
