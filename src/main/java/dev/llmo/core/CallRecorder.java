package dev.llmo.core;

import dev.llmo.config.ModelRef;
import dev.llmo.failure.LlmoException;
import dev.llmo.eventlog.EventData;
import java.time.Duration;
import java.util.List;
import dev.llmo.provider.ChatRequest;

/**
 * Hears about each model call as the {@link CallExecutor} makes it, to record it (the event log does). Called from
 * the call's thread; {@link #requestSent} comes first, then retries, then exactly one {@link #answered}.
 */
public interface CallRecorder {
    /** Records nothing. */
    CallRecorder NONE = new CallRecorder() {
        @Override
        public long requestSent(ModelRef model, ChatRequest request, byte[] body) {
            return -1;
        }

        @Override
        public void retried(long request, int attempt, Duration delay, LlmoException reason) {
        }

        @Override
        public void answered(long request, RunResult result) {
        }
    };

    /**
     * The call is about to be sent: {@code request} (options merged) as exactly this HTTP body.
     *
     * @return an id of the request that the later calls name
     */
    long requestSent(ModelRef model, ChatRequest request, byte[] body);

    void retried(long request, int attempt, Duration delay, LlmoException reason);

    /** The call ended, well or not; the result is recorded before anyone else sees it. */
    void answered(long request, RunResult result);

    /** The tools the requests from now on declare, told before the first of them is sent. */
    default void toolsOffered(List<EventData.OfferedTool> tools) {
    }

    /** A tool call of the answer just recorded was allowed or refused. */
    default void toolDecided(EventData.ToolApproval approval) {
    }

    /** An allowed tool call starts running. */
    default void toolStarted(EventData.ToolCall call) {
    }

    /** A tool call ended (or was refused): its result, which the next request sends. */
    default void toolEnded(EventData.ToolResult result) {
    }

    /**
     * llmo answers the answer just recorded in the user's place, and the next request sends it after that answer:
     * the first violation of an answer that does not follow its schema, asking for a corrected one.
     */
    default void feedback(String text) {
    }
}
