package dev.llmo.provider;

import dev.llmo.MockServers;
import static org.assertj.core.api.Assertions.assertThat;

import dev.llmo.config.ProviderType;
import dev.llmo.core.ProviderClients;
import dev.llmo.failure.CallError;
import dev.llmo.failure.ErrorKind;
import dev.llmo.failure.LlmoException;
import dev.llmo.message.Part;
import dev.llmo.message.Usage;
import dev.llmo.provider.ProviderTestSupport.RecordingSleeper;
import dev.llmo.provider.ProviderTestSupport.Recorder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Replays recorded provider answers (src/test/resources/recorded, sources in its README) through a real HTTP server
 * and checks that every kind of content arrives as its part, in order, with the stop reason and every kind of token:
 * nothing a model said is dropped. A {@code .sse} file is a streamed answer, a {@code .json} file a whole one.
 */
class RecordedAnswersTest {
    private MockWebServer server;

    @BeforeEach
    void start() throws IOException {
        server = MockServers.create();
        server.start();
    }

    @AfterEach
    void stop() throws IOException {
        server.shutdown();
    }

    /** A recorded answer and what llmo must make of it: the parts, stop reason and usage, or the failure. */
    record Case(String fixture, List<Part> parts, StopReason stop, Usage usage, ErrorKind failure) {
        static Case answer(String fixture, StopReason stop, Usage usage, Part... parts) {
            return new Case(fixture, List.of(parts), stop, usage, null);
        }

        /** A call that fails; {@code kept} is what was reported before the failure and stays the user's. */
        static Case failure(String fixture, ErrorKind kind, Usage usage, Part... kept) {
            return new Case(fixture, List.of(kept), null, usage, kind);
        }

        ProviderType type() {
            return ProviderType.valueOf(fixture.substring(0, fixture.indexOf('/')).toUpperCase());
        }

        boolean stream() {
            return fixture.endsWith(".sse");
        }

        @Override
        public String toString() {
            return fixture;
        }
    }

    private static final String ACCUWEATHER =
            "https://www.accuweather.com/en/us/san-francisco/94103/weather-forecast/347629";

    static List<Case> recorded() {
        return List.of(
                Case.answer("openai/n3.sse", StopReason.END, Usage.of(79, 42),
                        new Part.Text("{\"city\":\"San Francisco\",\"temperature\":65,\"units\":\"f\"}")),
                Case.answer("openai/parallel-tool-calls.sse", StopReason.TOOL_CALL, Usage.of(149, 60),
                        new Part.ToolCall("call_JMW1whyEaYG438VE1OIflxA2", "GetWeatherArgs",
                                "{\"city\": \"Edinburgh\", \"country\": \"GB\", \"units\": \"c\"}"),
                        new Part.ToolCall("call_DNYTawLBoN8fj3KN6qU9N1Ou", "get_stock_price",
                                "{\"ticker\": \"AAPL\", \"exchange\": \"NASDAQ\"}")),
                Case.failure("openai/refusal.sse", ErrorKind.REFUSED, Usage.of(79, 11),
                        new Part.Refusal("I'm sorry, I can't assist with that request.")),
                Case.failure("openai/refusal.json", ErrorKind.REFUSED, Usage.of(79, 12),
                        new Part.Refusal("I'm very sorry, but I can't assist with that.")),
                Case.answer("openai/deepseek-reasoning.json", StopReason.END, new Usage(6, 92, 81, 0, 0),
                        Part.Reasoning.of("Okay, the user wrote \"hello\". That's pretty straightforward. I should "
                                + "respond in a friendly and welcoming manner. Maybe say \"Hello! How can I assist you "
                                + "today?\" to prompt them to ask for help. Keep it open-ended so they feel comfortable "
                                + "to ask anything. Let me check for any typos and make sure the tone is right. Yep, "
                                + "that sounds good. Send it off."),
                        new Part.Text("Hello! How can I assist you today?")),
                Case.answer("openai/ollama-reasoning.sse", StopReason.END, Usage.of(75, 31),
                        Part.Reasoning.of("The user: \"Describe a rabbit in 3 words\". So"),
                        new Part.Text("Fluffy, swift, curious.")),
                Case.failure("openai/ollama-reasoning-exhausted.sse", ErrorKind.REASONING_EXHAUSTED,
                        Usage.of(75, 11), Part.Reasoning.of("The user: \"Describe a rabbit in 3 words")),
                Case.answer("openai/mistral-thinking.json", StopReason.END, Usage.of(12, 33),
                        Part.Reasoning.of("The user asks for the capital of France. That is Paris."),
                        new Part.Text("The capital of France is **Paris**.")),
                Case.answer("openai/mistral-thinking.sse", StopReason.END, Usage.of(12, 18),
                        Part.Reasoning.of("The user asks for the capital of France."), new Part.Text("Paris.")),
                Case.answer("openai/glm-cached-tool-call.json", StopReason.TOOL_CALL,
                        new Usage(20253, 173, 0, 14976, 0),
                        new Part.Text("I have strong evidence for Kiran Shah on most clues. The remaining clue is "
                                + "the 91-minute film directed by someone known for English dinosaur/sci-fi/adventure "
                                + "films. From the Wikipedia page, Shah played \"Bolum in The People That Time Forgot "
                                + "(1977)\". The Guardian article confirms Kevin Connor directed \"The Land That Time "
                                + "Forgot\" — a dinosaur film. Kevin Connor directed a series of English-produced "
                                + "dinosaur/sci-fi/adventure films (The Land That Time Forgot, The People That Time "
                                + "Forgot, At the Earth's Core). Let me verify the runtime of The People That Time "
                                + "Forgot (1977) and confirm Kevin Connor directed it."),
                        new Part.ToolCall("call_3771e577251b47e49f0ad532", "search", "{\"queries\": [\"People That "
                                + "Time Forgot 1977 film Wikipedia runtime\", \"People That Time Forgot 1977 Kevin "
                                + "Connor director\"], \"top_k\": 8}")),
                Case.answer("anthropic/thinking.sse", StopReason.END, Usage.of(778, 104),
                        new Part.Reasoning("The user has simply said \"hey\" as a greeting without any specific "
                                + "request or question. I don't need to use any tools for this type of interaction. "
                                + "I should respond with a friendly greeting and ask how I can help them today.",
                                "ErUBCkYIARgCIkACJWxzySUOJzOlZ8WFdgQSbeQA3H1i5rfkKLV9eC4HN6Jcnrlw1NcnPRIPaTs9jLF3rllsfo"
                                        + "idjZapJ+5MLwjVEgzTfQ6r9tDZvyBP0nEaDHWRqRWP7CoPOc+ksSIwSlxHzaMbnyXGoiNmCj9thC3N6E"
                                        + "DMpemJPx3UZqDtrgmKZgQMMzNzNsh9IxgvtuYKKh1PxXUmWexqlckSVETQj3LbHLK/nwEK+bz0+2b/pA==",
                                false),
                        new Part.Text("Hello! I'm Assistant, an AI here to help you. How can I assist you today? Feel "
                                + "free to ask questions or let me know what you're looking for, and I'll do my best to "
                                + "help.")),
                Case.answer("anthropic/redacted-thinking.json", StopReason.END, Usage.of(59, 187),
                        new Part.Reasoning("Let me analyze this step by step...", "WaUjzkypQ2mUEVM36O2TxuC06KN8xyfbJwy"
                                + "em2dw3URve/op91XWHOEBLLqIOMfFG/UvLEczmEsUjavL....", false),
                        new Part.Reasoning("", "EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpPkNRj2Y"
                                + "fWXGmKDxH4mPnZ5sQ7vB5URj2pLmN3kF8/dW5hR7xJ0aP1oLs9yTcMnKVf2wRpEGjH9XZaBt4UvDcPrQ...",
                                true),
                        new Part.Text("Based on my analysis...")),
                Case.answer("anthropic/tool-use.sse", StopReason.TOOL_CALL, Usage.of(377, 65),
                        new Part.Text("I'll check the current weather in Paris for you."),
                        new Part.ToolCall("toolu_01NRLabsLyVHZPKxbKvkfSMn", "get_weather", "{\"location\": \"Paris\"}")),
                Case.answer("anthropic/thinking-tool-use.sse", StopReason.TOOL_CALL, Usage.of(512, 97),
                        new Part.Reasoning("Need the tool for both sums.",
                                "EqQBCkYIBxgCKkB3m9x1YJ0bQm5mB8e0M0kqZ5w3sQ==", false),
                        new Part.ToolCall("toolu_01A9q8S4pV5Dq1GzKk3bZc7e", "get-sum", "{\"a\": 2, \"b\": 3}"),
                        new Part.ToolCall("toolu_01Mx3c5R7yHf2EeJtW9uLq4N", "get-sum", "{\"a\": 0.1, \"b\": 1.20}")),
                Case.answer("anthropic/redacted-thinking-tool-use.json", StopReason.TOOL_CALL, Usage.of(402, 88),
                        new Part.Reasoning("The user wants the weather; I should call the tool.",
                                "ErUBCkYIARgCIkBq2kV7yX0rU2f8nN4mQ1pH6cL9dS3wE5tR7yU1iO3pA5sD7fG9hJ1kL3zX5cV7bN9mQ==",
                                false),
                        new Part.Reasoning("", "EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpPkNRj2Y",
                                true),
                        new Part.Text("Let me look that up."),
                        new Part.ToolCall("toolu_01NRLabsLyVHZPKxbKvkfSMn", "get_weather",
                                "{\"location\":\"Paris\",\"units\":\"c\"}")),
                Case.failure("anthropic/refusal.sse", ErrorKind.REFUSED, Usage.of(20, 0),
                        new Part.Refusal("This request was refused due to policy.")),
                Case.failure("anthropic/thinking-refusal.sse", ErrorKind.REFUSED, new Usage(28, 106, 67, 0, 0),
                        Part.Reasoning.of("Simple educational question about what a solar eclipse is. This is benign "
                                + "general knowledge — definitions are fine. Also the user called me \"claudius\" — I'm "
                                + "Claude. Minor correction or just roll with it politely."),
                        new Part.Text("Hi")),
                Case.answer("anthropic/cached-usage.sse", StopReason.END, new Usage(2151, 10, 0, 100, 2048),
                        new Part.Text("ok")),
                Case.answer("anthropic/web-search-citations.json", StopReason.END, Usage.of(11306, 163),
                        new Part.ToolCall("srvtoolu_01JCzA8PXrZDNPK9pSt8KCE9", "web_search",
                                "{\"query\":\"San Francisco weather today\"}"),
                        new Part.Citation(ACCUWEATHER, "San Francisco, CA Weather Forecast | AccuWeather",
                                "San Francisco, CA Weather Today ... showers; breezy and cool Hi: 52° · Tonight: Cloudy, "
                                        + "becoming windier and chilly; a shower or two this evening foll..."),
                        new Part.Text("Today in San Francisco, there are showers with breezy and cool conditions, with "
                                + "a high of 52°F. "),
                        new Part.Citation(ACCUWEATHER, "San Francisco, CA Weather Forecast | AccuWeather",
                                "San Francisco, CA Weather Today WinterCast Local {stormName} Tracker Hourly Daily Radar "
                                        + "MinuteCast® Monthly Air Quality Health & Activities ... Tonigh..."),
                        new Part.Text("Tonight will be cloudy, becoming windier and chilly, with a shower or two this "
                                + "evening followed by heavy rain late, and watch for flooding on streets and poor "
                                + "drainage areas with a low of 45°F.")),
                Case.answer("gemini/thinking.sse", StopReason.END, new Usage(84, 606, 595, 64, 0),
                        Part.Reasoning.of("**Analyzing the House Puzzle**\n\nI'm placing the green house to the left of "
                                + "the red one. Carol owns the dog, so the cat is Bob's."),
                        new Part.Text("Bob lives in the red house with the cat."),
                        new Part.Reasoning("", "CiQBVKhc7p9T0pA5Gq2xvJk=", false)),
                Case.answer("gemini/function-call.sse", StopReason.TOOL_CALL, new Usage(61, 69, 51, 0, 0),
                        new Part.Reasoning("", "CiQBVKhc7sB5hU7Wn2nC", false),
                        new Part.ToolCall("call_0", "get_sum", "{\"a\":2,\"b\":3}")),
                Case.answer("gemini/parallel-function-calls.sse", StopReason.TOOL_CALL, new Usage(197, 144, 118, 0, 0),
                        new Part.Reasoning("", "CiIBVKhc7tq0fS1W3pXbLkK9P1p0wq7nUZrT0Y1cN4vOe6Hj", false),
                        new Part.ToolCall("call_0", "power_disco_ball", "{\"power\":true}"),
                        new Part.ToolCall("call_1", "start_music", "{\"energetic\":true,\"loud\":true}"),
                        new Part.ToolCall("call_2", "dim_lights", "{\"brightness\":0.5}")),
                Case.answer("gemini/function-call-with-id.json", StopReason.TOOL_CALL, new Usage(61, 79, 55, 0, 0),
                        new Part.Reasoning("**Checking the sum**\n\nI will call get_sum.", "CiQBVKhc7uF3tG1pQ9sLm2cX",
                                false),
                        new Part.Text("Let me add them."),
                        new Part.Reasoning("", "CiQBVKhc7sB5hU7Wn2nD", false),
                        new Part.ToolCall("fc_8d2a61", "get_sum", "{\"a\":2,\"b\":3}")),
                Case.answer("gemini/grounding.json", StopReason.OTHER, null,
                        new Part.Text("Spain won Euro 2024, defeating England 2-1 in the final. This victory marks "
                                + "Spain's record fourth European Championship title."),
                        new Part.Citation("https://vertexaisearch.cloud.google.com.....", "aljazeera.com", null),
                        new Part.Citation("https://vertexaisearch.cloud.google.com.....", "uefa.com", null)),
                Case.failure("gemini/blocked-prompt.json", ErrorKind.BLOCKED, Usage.of(8, 0)),
                Case.failure("gemini/thoughts-exhausted.json", ErrorKind.REASONING_EXHAUSTED,
                        new Usage(12, 255, 255, 0, 0), Part.Reasoning.of("**Planning the answer**\n\nThe user wants a "
                                + "detailed comparison; I will outline both sides first.")),
                Case.answer("openai/url-citations.json", StopReason.END, Usage.of(9, 41),
                        new Part.Text("The Euro 2024 final was won by Spain, who beat England 2-1 in Berlin "
                                + "([uefa.com](https://www.uefa.com/euro2024/news/spain-wins-euro-2024?utm_source=openai))."),
                        new Part.Citation("https://www.uefa.com/euro2024/news/spain-wins-euro-2024?utm_source=openai",
                                "Spain win EURO 2024", null)),
                Case.answer("openai/perplexity-citations.json", StopReason.END, Usage.of(14, 181),
                        new Part.Citation("https://imagine.gsfc.nasa.gov/science/objects/milkyway1.html", null, null),
                        new Part.Citation("https://www.esa.int/Science_Exploration/Space_Science/Herschel/"
                                + "How_many_stars_are_there_in_the_Universe", null, null),
                        new Part.Citation("https://www.space.com/25959-how-many-stars-are-in-the-milky-way.html",
                                null, null),
                        new Part.Citation("https://www.youtube.com/watch?v=Py2nZYmvTKg", null, null),
                        new Part.Citation("https://bigthink.com/starts-with-a-bang/overestimated-stars-in-universe/",
                                null, null),
                        new Part.Text("The Milky Way galaxy, which is the galaxy that contains our Solar System, is "
                                + "estimated to have approximately between 100 billion and 400 billion stars. More "
                                + "commonly cited estimates center around 100 billion stars, but more recent "
                                + "assessments, including data from ESA's Gaia mission, suggest the figure could be "
                                + "higher, up to about 400 billion stars[1][2][3][4].\n\nThis wide range exists because "
                                + "counting stars directly is very challenging due to the vastness of the galaxy, the "
                                + "varying sizes and types of stars, and observational limitations from our position "
                                + "inside the galaxy. The Milky Way is a barred spiral galaxy about 100,000 light years "
                                + "in diameter, and the Sun is located roughly 25,000 light years from its center"
                                + "[1][3].\n\nIn summary, the best scientific estimates currently place the number of "
                                + "stars in the Milky Way at roughly 100 to 400 billion stars.")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("recorded")
    void eachRecordedAnswerArrivesWhole(Case recorded) throws IOException {
        Recorder recorder = replay(recorded);
        if (recorded.failure() == null) {
            ChatResponse response = recorder.response();
            assertThat(response.message().parts()).containsExactlyElementsOf(recorded.parts());
            assertThat(response.stopReason()).isEqualTo(recorded.stop());
            assertThat(response.usage()).isEqualTo(recorded.usage());
        } else {
            LlmoException error = recorder.error();
            assertThat(error).isInstanceOf(CallError.class);
            assertThat(((CallError) error).kind()).isEqualTo(recorded.failure());
        }
        // what was reported on the way is the same content: the listener shows and logs the answer as it comes
        assertThat(reported(recorder)).containsExactlyElementsOf(withoutSignatures(recorded.parts()));
        assertThat(lastUsage(recorder)).isEqualTo(recorded.usage());
    }

    private Recorder replay(Case recorded) throws IOException {
        String body;
        try (InputStream in = RecordedAnswersTest.class.getResourceAsStream("/recorded/" + recorded.fixture())) {
            assertThat(in).as(recorded.fixture()).isNotNull();
            body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        server.enqueue(new MockResponse()
                .setHeader("Content-Type", recorded.stream() ? "text/event-stream" : "application/json")
                .setBody(body));
        ProviderType type = recorded.type();
        String keyName = type.id().toUpperCase() + "_API_KEY";
        ProviderClient client = new ProviderClients(ProviderTestSupport.transport(new RecordingSleeper(), 0))
                .create(ProviderTestSupport.provider(type.id(), type, server, "/", keyName),
                        ProviderTestSupport.key(keyName));
        Recorder recorder = new Recorder();
        client.stream(new ChatRequest("m", null, List.of(ChatMessage.user("hi")), Map.of(), null,
                recorded.stream()), recorder);
        return recorder;
    }

    /** The parts the events add up to: deltas of one kind that follow each other joined, tool calls by index. */
    private static List<Part> reported(Recorder recorder) {
        List<Part> parts = new ArrayList<>();
        Map<Integer, Integer> toolCalls = new java.util.HashMap<>();
        synchronized (recorder.events) {
            for (StreamEvent event : recorder.events) {
                Part last = parts.isEmpty() ? null : parts.get(parts.size() - 1);
                if (event instanceof StreamEvent.TextDelta d) {
                    if (last instanceof Part.Text t) {
                        parts.set(parts.size() - 1, new Part.Text(t.text() + d.text()));
                    } else {
                        parts.add(new Part.Text(d.text()));
                    }
                } else if (event instanceof StreamEvent.ReasoningDelta d) {
                    if (last instanceof Part.Reasoning r) {
                        parts.set(parts.size() - 1, Part.Reasoning.of(r.text() + d.text()));
                    } else {
                        parts.add(Part.Reasoning.of(d.text()));
                    }
                } else if (event instanceof StreamEvent.RefusalDelta d) {
                    if (last instanceof Part.Refusal r) {
                        parts.set(parts.size() - 1, new Part.Refusal(r.text() + d.text()));
                    } else {
                        parts.add(new Part.Refusal(d.text()));
                    }
                } else if (event instanceof StreamEvent.ToolCallDelta d) {
                    Integer at = toolCalls.get(d.index());
                    if (at == null) {
                        toolCalls.put(d.index(), parts.size());
                        // a provider that gives no id gets one unique within the answer, as the assembler does
                        parts.add(new Part.ToolCall(d.id() == null ? "call_" + d.index() : d.id(),
                                d.name() == null ? "" : d.name(), d.argumentsDelta()));
                    } else {
                        Part.ToolCall call = (Part.ToolCall) parts.get(at);
                        parts.set(at, new Part.ToolCall(call.id(), call.name(), call.arguments() + d.argumentsDelta()));
                    }
                } else if (event instanceof StreamEvent.CitationAdded c) {
                    parts.add(c.citation());
                }
            }
        }
        return parts;
    }

    /** Signatures are kept in the complete answer only: no event carries them. */
    private static List<Part> withoutSignatures(List<Part> parts) {
        return parts.stream().filter(p -> !(p instanceof Part.Reasoning r && r.text().isEmpty()))
                .map(p -> p instanceof Part.Reasoning r ? Part.Reasoning.of(r.text()) : p).toList();
    }

    private static Usage lastUsage(Recorder recorder) {
        synchronized (recorder.events) {
            Usage usage = null;
            for (StreamEvent event : recorder.events) {
                if (event instanceof StreamEvent.UsageUpdate u) {
                    usage = u.usage();
                }
            }
            return usage;
        }
    }
}
