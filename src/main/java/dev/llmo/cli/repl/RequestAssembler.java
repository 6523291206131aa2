package dev.llmo.cli.repl;

import dev.llmo.config.ModelRef;
import dev.llmo.core.RunRequest;
import dev.llmo.provider.ChatMessage;
import java.util.List;
import java.util.Map;

/**
 * Turns the conversation into the request of one chat turn. The context package's ContextAssembler (fitting the
 * history into the window and the budget) plugs in here; {@link #WHOLE_HISTORY} sends everything.
 */
@FunctionalInterface
public interface RequestAssembler {
    /** The whole history, streamed. */
    RequestAssembler WHOLE_HISTORY = (model, system, history, options) ->
            new RunRequest(model, system, history, options, true);

    /**
     * The request for {@code model}.
     *
     * @param history the conversation, oldest first, ending with the user's newest message
     */
    RunRequest assemble(ModelRef model, String system, List<ChatMessage> history, Map<String, Object> options);
}
