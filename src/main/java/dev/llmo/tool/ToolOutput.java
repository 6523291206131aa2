package dev.llmo.tool;

import java.util.Objects;

/**
 * What running a tool gave back, as the model will read it: the text (an MCP result's text blocks, and its other
 * blocks and structured content as JSON; a command's standard output) and whether the tool reported an error, which
 * goes back to the model as an error result rather than failing the run.
 */
public record ToolOutput(String text, boolean isError) {
    public ToolOutput {
        Objects.requireNonNull(text, "text");
    }
}
