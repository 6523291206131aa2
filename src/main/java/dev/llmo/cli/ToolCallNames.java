package dev.llmo.cli;

import dev.llmo.core.RunEvent;
import dev.llmo.message.Part;
import dev.llmo.tool.Tool;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The tools' own names of the calls a run's models made, as the tool lines show them ({@code fs.read_file}): an answer
 * keeps the name the model called, which a wire format may have made of it ({@code fs_read_file}), and a script that
 * reads {@code --json} looks for the name {@code -T} and {@code tool_policy} use. The names a request declares its
 * tools by depend only on the tools ({@link dev.llmo.core.ToolNames}), so they are keyed by that name: learnt from the
 * tools offered, where the caller has them, and from each call as it ends.
 */
final class ToolCallNames implements java.util.function.Function<Part.ToolCall, String> {
    private final Map<String, String> names = new ConcurrentHashMap<>();

    /** Takes the tools a run's requests declare. */
    void offered(List<Tool> tools) {
        if (tools.isEmpty()) {
            return; // a plain run: the naming is not even loaded
        }
        for (Map.Entry<String, Tool> named : dev.llmo.core.ToolNames.byWireName(tools).entrySet()) {
            names.put(named.getKey(), named.getValue().name());
        }
    }

    /** The names of a replay's tools ({@link dev.llmo.core.Replay.Result#toolNames}). */
    static ToolCallNames declared(Map<String, String> toolNames) {
        ToolCallNames declared = new ToolCallNames();
        declared.names.putAll(toolNames);
        return declared;
    }

    /** The names of the tools a recorded conversation's requests declared: its {@code tool.offer} events. */
    static ToolCallNames recorded(Iterable<dev.llmo.eventlog.EventData> events) {
        ToolCallNames recorded = new ToolCallNames();
        for (dev.llmo.eventlog.EventData data : events) {
            if (data instanceof dev.llmo.eventlog.EventData.ToolsOffered offered) {
                for (dev.llmo.eventlog.EventData.OfferedTool tool : offered.tools()) {
                    recorded.names.put(tool.wireName(), tool.name());
                }
            }
        }
        return recorded;
    }

    /** Takes the name of the tool a finished call ran (or was refused). */
    void seen(RunEvent event) {
        if (event instanceof RunEvent.ToolDone done) {
            names.put(done.request().name(), done.tool());
        }
    }

    /** The tool's own name for {@code call}; the model's name for it when no tool of that name was offered. */
    @Override
    public String apply(Part.ToolCall call) {
        return names.getOrDefault(call.name(), call.name());
    }
}
