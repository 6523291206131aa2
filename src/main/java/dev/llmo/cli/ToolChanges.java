package dev.llmo.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmo.config.CommandToolSpec;
import dev.llmo.config.ToolSettings;
import dev.llmo.eventlog.EventCodec;
import dev.llmo.eventlog.EventData;
import dev.llmo.eventlog.EventLog;
import dev.llmo.tool.Tool;
import dev.llmo.tool.mcp.McpTool;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tools that changed since a conversation used them: the log keeps each offered tool's schema hash, so a
 * continued conversation, or a replay, can say that a tool now takes other arguments than the model was shown.
 */
final class ToolChanges {
    private ToolChanges() {
    }

    /** The tools a conversation was offered, each as last offered, by name. */
    static Map<String, EventData.OfferedTool> recorded(Path log) {
        Map<String, EventData.OfferedTool> offered = new LinkedHashMap<>();
        for (var event : EventLog.read(log)) {
            if ("tool.offer".equals(event.type()) && EventCodec.decode(event) instanceof EventData.ToolsOffered tools) {
                tools.tools().forEach(tool -> offered.put(tool.name(), tool));
            }
        }
        return offered;
    }

    /** One line for each tool of {@code now} whose schema is not the one recorded. */
    static List<String> changed(Map<String, EventData.OfferedTool> recorded, List<Tool> now) {
        List<String> lines = new ArrayList<>();
        for (Tool tool : now) {
            EventData.OfferedTool before = recorded.get(tool.name());
            if (before != null && !before.schemaSha256().equals(tool.schemaSha256())) {
                lines.add("tool " + tool.name() + " has changed since this conversation used it (schema "
                        + shortHash(before.schemaSha256()) + ", now " + shortHash(tool.schemaSha256()) + ")");
            }
        }
        return lines;
    }

    /**
     * For a replay, which starts no server: the recorded command tools checked against the config as it is now; the
     * MCP servers' tools are named as not checked.
     */
    static List<String> sinceRecorded(Map<String, EventData.OfferedTool> recorded, ToolSettings settings) {
        List<Tool> now = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        List<String> unchecked = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        for (EventData.OfferedTool tool : recorded.values()) {
            CommandToolSpec spec = settings.commandTools().get(tool.name());
            if (!"command".equals(tool.source())) {
                unchecked.add(tool.name());
            } else if (spec == null) {
                lines.add("tool " + tool.name() + " is no longer configured");
            } else {
                try {
                    now.add(new Tool(spec.name(), spec.description(), spec.schemaJson(),
                            McpTool.hashOf(json.readTree(spec.schemaJson())), "command"));
                } catch (java.io.IOException e) {
                    unchecked.add(tool.name());
                }
            }
        }
        lines.addAll(changed(recorded, now));
        if (!unchecked.isEmpty()) {
            lines.add("not checked for changes (a replay starts no server): " + String.join(", ", unchecked));
        }
        return lines;
    }

    private static String shortHash(String hex) {
        return hex.length() > 12 ? hex.substring(0, 12) : hex;
    }
}
