package dev.llmo;

import com.fasterxml.jackson.databind.node.TextNode;
import okhttp3.mockwebserver.MockResponse;

/**
 * Answers in the OpenAI streaming wire format (wire-formats.md section 1) for MockWebServer: the text in one
 * chunk, a stop, a usage chunk and {@code [DONE]}. What the tests of run, chains, replay and budgets enqueue.
 */
public final class OpenAiAnswers {
    private OpenAiAnswers() {
    }

    /** A streamed answer of {@code text}, reporting these token counts. */
    public static MockResponse streamed(String text, int inputTokens, int outputTokens) {
        return new MockResponse().setHeader("Content-Type", "text/event-stream")
                .setBody(sseBody(text, inputTokens, outputTokens));
    }

    /** A streamed answer of {@code text} with small token counts. */
    public static MockResponse streamed(String text) {
        return streamed(text, 3, 2);
    }

    /** The SSE body of such an answer. */
    public static String sseBody(String text, int inputTokens, int outputTokens) {
        return "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":" + TextNode.valueOf(text) + "}}]}\n\n"
                + "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
                + "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":" + inputTokens + ",\"completion_tokens\":"
                + outputTokens + "}}\n\n"
                + "data: [DONE]\n\n";
    }
}
