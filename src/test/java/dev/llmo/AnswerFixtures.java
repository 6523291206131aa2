package dev.llmo;

import dev.llmo.config.ModelRef;
import dev.llmo.config.ModelSpec;
import dev.llmo.config.Origin;
import dev.llmo.config.ProviderConfig;
import dev.llmo.config.ProviderType;
import dev.llmo.core.CallId;
import dev.llmo.core.RunEvent;
import dev.llmo.core.RunListener;
import dev.llmo.core.RunResult;
import dev.llmo.failure.LlmoException;
import dev.llmo.message.Message;
import dev.llmo.message.Part;
import dev.llmo.message.Role;
import dev.llmo.message.Usage;
import dev.llmo.provider.StopReason;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * Answers of every kind of part, as the core hands them to the command line: the one place renderer tests build
 * their messages, results and the events a call streams.
 */
public final class AnswerFixtures {
    /** A model of a provider no test talks to: for views, which never call it. */
    public static final ModelRef MODEL = new ModelRef(new ProviderConfig("openai", ProviderType.OPENAI,
            "https://api.openai.example/v1", null, null, "o3-mini", List.of(), null, Origin.of("test", "test")),
            ModelSpec.unlisted("o3-mini", Origin.of("test", "test")));
    public static final CallId CALL = CallId.of(MODEL);

    /** An answer that reasoned, cited two sources, and asked for a tool. */
    public static final Message REASONED = new Message(Role.ASSISTANT, List.of(
            new Part.Reasoning("The user wants the capital.\nParis it is.", "sig-1", false),
            new Part.Text("The capital of France is Paris."),
            new Part.Citation("https://en.wikipedia.org/wiki/Paris", "Paris - Wikipedia", "Paris is the capital"),
            new Part.Citation("https://www.britannica.com/place/Paris", null, null),
            new Part.ToolCall("call_1", "get_weather", "{\"city\":\"Paris\"}")));

    /** A refusal, with no answer text. */
    public static final Message REFUSED = new Message(Role.ASSISTANT, List.of(
            new Part.Refusal("I can't help with that.")));

    /** Every token kind counted. */
    public static final Usage FULL_USAGE = new Usage(1200, 300, 120, 1000, 100);

    private AnswerFixtures() {
    }

    /** A call that ended well with {@code answer}. */
    public static RunResult succeeded(Message answer) {
        return new RunResult(MODEL, answer, StopReason.END, FULL_USAGE, new BigDecimal("0.0042"), 900, 150L, null);
    }

    /** A call that failed with {@code error} after {@code answer} came. */
    public static RunResult failed(Message answer, LlmoException error) {
        return new RunResult(MODEL, answer, null, null, null, 900, null, error);
    }

    /** The events a stream of {@code answer} brings, in order, with an idle after each. */
    public static List<RunEvent> events(Message answer) {
        List<RunEvent> events = new ArrayList<>();
        int toolCalls = 0;
        for (Part part : answer.parts()) {
            if (part instanceof Part.Text text) {
                events.add(new RunEvent.Text(CALL, text.text()));
            } else if (part instanceof Part.Reasoning reasoning) {
                events.add(new RunEvent.Reasoning(CALL, reasoning.text()));
            } else if (part instanceof Part.Refusal refusal) {
                events.add(new RunEvent.Refusal(CALL, refusal.text()));
            } else if (part instanceof Part.Citation citation) {
                events.add(new RunEvent.Citation(CALL, citation));
            } else if (part instanceof Part.ToolCall call) {
                events.add(new RunEvent.ToolCallPiece(CALL, toolCalls++, call.id(), call.name(), call.arguments()));
            }
            events.add(new RunEvent.Idle(CALL));
        }
        return events;
    }

    /** Streams {@code answer} to {@code listener} as a call would. */
    public static void stream(Message answer, RunListener listener) {
        events(answer).forEach(listener::onEvent);
    }
}
