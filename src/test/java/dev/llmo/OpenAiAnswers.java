package dev.llmo;

import com.fasterxml.jackson.databind.node.TextNode;
import okhttp3.mockwebserver.MockResponse;

/**
 * Answers in the OpenAI streaming wire format (wire-formats.md section 1) for MockWebServer: the text in one
 * chunk, a stop, a usage chunk and {@code [DONE]}. What the tests of run, chains, replay and budgets enqueue.
 */
public final class OpenAiAnswers {
    /** The chunk that ends an answer normally. */
    public static final String STOP = "{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}";

    private OpenAiAnswers() {
    }

    /** A streamed answer of {@code text}, reporting these token counts. */
    public static MockResponse streamed(String text, int inputTokens, int outputTokens) {
        return sse(sseBody(text, inputTokens, outputTokens));
    }

    /** A streamed answer of {@code text} with small token counts. */
    public static MockResponse streamed(String text) {
        return streamed(text, 3, 2);
    }

    /** An event stream of {@code body} as it is: for answers the other methods do not make. */
    public static MockResponse sse(String body) {
        return new MockResponse().setHeader("Content-Type", "text/event-stream").setBody(body);
    }

    /** An event stream of one {@code data:} event for each of {@code events}, then {@code [DONE]}. */
    public static MockResponse events(String... events) {
        StringBuilder body = new StringBuilder();
        for (String event : events) {
            body.append("data: ").append(event).append("\n\n");
        }
        return sse(body.append("data: [DONE]\n\n").toString());
    }

    /** The chunk of a piece of answer text, given as a JSON string ({@code "\"Hi\""}, escapes as the server sends them). */
    public static String delta(String jsonString) {
        return "{\"choices\":[{\"index\":0,\"delta\":{\"content\":" + jsonString + "},\"finish_reason\":null}]}";
    }

    /**
     * A streamed answer that calls tools: one {@code tool_calls} chunk per call, each given as three strings (id, name,
     * arguments JSON), then {@code finish_reason: tool_calls} and a usage chunk (3 in, 2 out).
     */
    public static MockResponse toolCalls(String... idNameArguments) {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < idNameArguments.length; i += 3) {
            body.append("data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":").append(i / 3)
                    .append(",\"id\":").append(TextNode.valueOf(idNameArguments[i]))
                    .append(",\"type\":\"function\",\"function\":{\"name\":")
                    .append(TextNode.valueOf(idNameArguments[i + 1])).append(",\"arguments\":")
                    .append(TextNode.valueOf(idNameArguments[i + 2])).append("}}]}}]}\n\n");
        }
        body.append("data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\n")
                .append("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2}}\n\n")
                .append("data: [DONE]\n\n");
        return sse(body.toString());
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
