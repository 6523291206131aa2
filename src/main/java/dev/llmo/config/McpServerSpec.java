package dev.llmo.config;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One {@code mcp_servers:} entry: a local server started over stdio ({@code command} set) or a remote one over
 * Streamable HTTP ({@code url} set), never both.
 *
 * @param command the program and its arguments, run without a shell (stdio), or empty
 * @param env     the only variables the server gets beyond PATH, HOME and LANG; a value may be
 *                {@code ${env:NAME}} or {@code ${vault:NAME}}, resolved when the server starts
 * @param cwd     its working directory, or null for llmo's
 * @param url     the Streamable HTTP endpoint, or null
 * @param headers HTTP headers sent to {@code url} (values may be {@code ${env:NAME}} or {@code ${vault:NAME}})
 * @param sandbox whether a stdio server runs under bubblewrap (the top-level {@code sandbox:} says how)
 * @param enabled whether its tools are offered without {@code -T}
 * @param timeoutSeconds how long llmo waits for each of its answers (start-up, the tool list, a call)
 */
public record McpServerSpec(String name, List<String> command, Map<String, String> env, String cwd, String url,
                            Map<String, String> headers, boolean sandbox, boolean enabled, Origin origin,
                            long timeoutSeconds) {
    /** How long llmo waits for a server's answer when its entry sets no {@code timeout}. */
    public static final long DEFAULT_TIMEOUT_SECONDS = 120;

    public McpServerSpec {
        Objects.requireNonNull(name, "name");
        command = List.copyOf(command);
        env = Map.copyOf(env);
        headers = Map.copyOf(headers);
    }

    /** An entry that waits the default time. */
    public McpServerSpec(String name, List<String> command, Map<String, String> env, String cwd, String url,
                         Map<String, String> headers, boolean sandbox, boolean enabled, Origin origin) {
        this(name, command, env, cwd, url, headers, sandbox, enabled, origin, DEFAULT_TIMEOUT_SECONDS);
    }

    public boolean remote() {
        return url != null;
    }
}
