package dev.llmo.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tool settings of the merged configuration (design.md "Tools"): MCP servers, command tools, the approval policy
 * and the default sandbox. Untrusted project layers can add none of the first three (see {@link TrustRules}).
 *
 * @param mcpServers   {@code mcp_servers:} by name, in file order
 * @param commandTools {@code tools:} by name, in file order
 * @param policy       {@code tool_policy:} rules, first match wins
 * @param sandbox      the top-level {@code sandbox:} setting: what a sandboxed server or tool may write and reach
 */
public record ToolSettings(Map<String, McpServerSpec> mcpServers, Map<String, CommandToolSpec> commandTools,
                           List<PolicyRule> policy, SandboxSpec sandbox) {
    public static final ToolSettings NONE = new ToolSettings(Map.of(), Map.of(), List.of(), SandboxSpec.DEFAULT);
    /** The configuration's keys for them. */
    static final List<String> KEYS = List.of("mcp_servers", "tools", "tool_policy", "sandbox");

    public ToolSettings {
        mcpServers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(mcpServers));
        commandTools = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(commandTools));
        policy = List.copyOf(policy);
    }
}
