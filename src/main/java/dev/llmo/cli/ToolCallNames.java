package dev.llmo.cli;

import dev.llmo.core.RunEvent;
import dev.llmo.message.Part;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The tools' own names of the calls a run's models made, as the tool lines show them ({@code fs.read_file}): an answer
 * keeps the name the model called, which a wire format may have made of it ({@code fs_read_file}), and a script that
 * reads {@code --json} looks for the name {@code -T} and {@code tool_policy} use. Learnt from the tool events as the
 * calls run; a call that did not run keeps the name the model gave.
 */
final class ToolCallNames {
    private final Map<String, String> names = new ConcurrentHashMap<>();

    /** Takes the name of the tool a finished call ran (or was refused). */
    void seen(RunEvent event) {
        if (event instanceof RunEvent.ToolDone done) {
            names.put(key(done.call().model().id(), done.request().id()), done.tool());
        }
    }

    /** The tool's own name for {@code call}, made by {@code model}; the model's name for it when none is known. */
    String of(String model, Part.ToolCall call) {
        return names.getOrDefault(key(model, call.id()), call.name());
    }

    private static String key(String model, String callId) {
        return model + '\n' + callId;
    }
}
