package dev.llmo.engine;

import dev.llmo.tool.Tool;
import dev.llmo.tool.ToolOutput;
import java.util.Objects;

/**
 * What the calls of a run need to use tools: something that runs them, a gate that approves each call, and how many
 * rounds of tool calls one model call may make.
 *
 * @param maxRounds at most this many rounds of tool calls per model call ({@code --max-tool-rounds}); a model that
 *                  asks for more ends its call with an error
 */
public record ToolKit(Runner runner, ToolGate gate, int maxRounds) {
    /** The default of {@code --max-tool-rounds}. */
    public static final int DEFAULT_MAX_ROUNDS = 10;

    public ToolKit {
        Objects.requireNonNull(runner, "runner");
        Objects.requireNonNull(gate, "gate");
        if (maxRounds < 1) {
            throw new IllegalArgumentException("at least one round of tool calls");
        }
    }

    /**
     * Runs one tool call to its end (the tool catalog does). It reports a tool's failure, a crash or a timeout as an
     * error output for the model; an interrupt of the calling thread stops the tool promptly.
     */
    @FunctionalInterface
    public interface Runner {
        /** @param progress hears the tool's progress reports, one line each, on the calling thread or another */
        ToolOutput call(Tool tool, String argumentsJson, java.util.function.Consumer<String> progress);

        /**
         * Whether the tools were stopped (the command is ending: Ctrl-C or a signal stops them from a shutdown hook
         * that may run before the run is cancelled): no round may follow, as its tools are gone and its request
         * costs money the user chose not to spend.
         */
        default boolean stopped() {
            return false;
        }
    }
}
