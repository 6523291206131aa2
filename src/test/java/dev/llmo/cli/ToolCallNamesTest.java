package dev.llmo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmo.message.Part;
import dev.llmo.tool.Tool;
import java.util.List;
import org.junit.jupiter.api.Test;

class ToolCallNamesTest {
    private static final Tool READ = new Tool("fs.read_file", "Reads a file", "{\"type\":\"object\"}", "0", "mcp:fs");
    private static final Tool WRITE = new Tool("fs.write_file", "Writes a file", "{\"type\":\"object\"}", "1", "mcp:fs");

    /**
     * Every call under its tool's own name, also one that never ran (the last round at --max-tool-rounds) and one of
     * two calls with the same id (ids a server made up, call_0 in each round): the name the request declared decides.
     */
    @Test
    void aCallIsNamedByTheNameItsRequestDeclaredTheToolBy() {
        ToolCallNames names = new ToolCallNames();
        names.offered(List.of(READ, WRITE));

        assertThat(names.apply(new Part.ToolCall("call_0", "fs_read_file", "{}"))).isEqualTo("fs.read_file");
        assertThat(names.apply(new Part.ToolCall("call_0", "fs_write_file", "{}"))).isEqualTo("fs.write_file");
        // a name no request declared is the model's own, as it said it
        assertThat(names.apply(new Part.ToolCall("call_1", "rm_rf", "{}"))).isEqualTo("rm_rf");
    }
}
