package dev.llmo.provider;

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
        server = new MockWebServer();
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
                        parts.add(new Part.ToolCall(d.id(), d.name(), d.argumentsDelta()));
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
