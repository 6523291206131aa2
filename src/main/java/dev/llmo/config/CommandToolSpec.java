package dev.llmo.config;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One {@code tools:} entry: a program llmo runs, without a shell, when a model calls the tool; the arguments the model
 * wrote are passed as JSON on its standard input and its standard output is the result.
 *
 * @param schemaJson     the JSON Schema of the arguments, as JSON text
 * @param command        the program and its arguments
 * @param env            the only variables it gets beyond PATH, HOME and LANG (values as in {@link McpServerSpec})
 * @param cwd            its working directory, or null for llmo's
 * @param timeoutSeconds how long one call may take before it is killed
 * @param sandbox        whether it runs under bubblewrap
 * @param enabled        whether it is offered without {@code -T}
 */
public record CommandToolSpec(String name, String description, String schemaJson, List<String> command,
                              Map<String, String> env, String cwd, long timeoutSeconds, boolean sandbox,
                              boolean enabled, Origin origin) {
    public CommandToolSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(schemaJson, "schemaJson");
        command = List.copyOf(command);
        env = Map.copyOf(env);
    }
}
