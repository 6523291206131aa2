package dev.llmo.context;

import static org.assertj.core.api.Assertions.assertThat;

import com.knuddels.jtokkit.api.EncodingType;
import dev.llmo.config.ProviderType;
import dev.llmo.provider.ChatMessage;
import dev.llmo.provider.ChatRequest;
import dev.llmo.provider.ToolDeclaration;
import dev.llmo.message.Part;
import dev.llmo.message.Usage;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TokenCounterTest {
    // one instance for the class: each encoding costs a few hundred ms to load
    private static final TokenCounters COUNTERS = TokenCounters.create();

    private static TiktokenCounter openAi(String model) {
        return (TiktokenCounter) COUNTERS.forModel(ProviderType.OPENAI, "openai", model);
    }

    @Test
    void picksTheEncodingByModelFamily() {
        for (String model : List.of("gpt-4o", "gpt-4o-mini-2024-07-18", "chatgpt-4o-latest", "gpt-4.1-nano", "gpt-5",
                "gpt-5-mini", "o1", "o3-mini", "o4-mini", "openai/gpt-4o")) {
            assertThat(TokenCounters.openAiEncoding(model)).as(model).contains(EncodingType.O200K_BASE);
        }
        for (String model : List.of("gpt-4", "gpt-4-turbo", "gpt-4-0613", "gpt-3.5-turbo", "gpt-35-turbo")) {
            assertThat(TokenCounters.openAiEncoding(model)).as(model).contains(EncodingType.CL100K_BASE);
        }
        for (String model : List.of("llama3.2", "gpt-oss:20b", "mistral", "o1x", "claude-sonnet-4-5")) {
            assertThat(TokenCounters.openAiEncoding(model)).as(model).isEmpty();
        }
    }

    @Test
    void exactOnlyForOpenAiModelsOfAnOpenAiTypeProvider() {
        assertThat(COUNTERS.forModel(ProviderType.OPENAI, "openai", "gpt-4o-mini").exact()).isTrue();
        assertThat(COUNTERS.forModel(ProviderType.OPENAI, "openai", "gpt-4o-mini").method())
                .isEqualTo("o200k_base (exact)");
        assertThat(COUNTERS.forModel(ProviderType.OPENAI, "ollama", "llama3.2").exact()).isFalse();
        assertThat(COUNTERS.forModel(ProviderType.ANTHROPIC, "anthropic", "gpt-4o").exact()).isFalse();
        assertThat(COUNTERS.forModel(ProviderType.GEMINI, "gemini", "gemini-2.5-flash").exact()).isFalse();
    }

    @Test
    void knownTiktokenCounts() {
        // the token ids of OpenAI's cookbook: cl100k [15339, 1917], o200k [24912, 2375]; "tiktoken is great!"
        // is [83, 1609, 5963, 374, 2294, 0] in cl100k_base and [83, 8251, 2488, 382, 2212, 0] in o200k_base
        TiktokenCounter cl100k = openAi("gpt-4");
        TiktokenCounter o200k = openAi("gpt-4o");
        assertThat(cl100k.text("hello world")).isEqualTo(2);
        assertThat(o200k.text("hello world")).isEqualTo(2);
        assertThat(cl100k.text("tiktoken is great!")).isEqualTo(6);
        assertThat(o200k.text("tiktoken is great!")).isEqualTo(6);
        assertThat(cl100k.text("")).isZero();
    }

    @Test
    void chatFramingAsTheCookbookCountsIt() {
        // "You are a helpful assistant." is You|are|a|helpful|assistant|. = 6 tokens in both encodings, each role
        // name is 1 token: system 3+1+6, user 3+1+2 ("hello world"), reply priming 3 = 19
        for (String model : List.of("gpt-4", "gpt-4o-mini")) {
            TokenCounter counter = openAi(model);
            ChatRequest request = ChatRequest.of(model, "You are a helpful assistant.", "hello world", false);
            assertThat(counter.systemTokens("You are a helpful assistant.")).isEqualTo(10);
            assertThat(counter.messageTokens(ChatMessage.user("hello world"))).isEqualTo(6);
            assertThat(counter.messageTokens(ChatMessage.assistant("hello world"))).isEqualTo(6);
            assertThat(counter.replyPriming()).isEqualTo(3);
            assertThat(counter.count(request)).as(model).isEqualTo(19);
        }
        // no system prompt costs nothing, not an empty framed message
        assertThat(openAi("gpt-4o").count(null, List.of(ChatMessage.user("hello world")))).isEqualTo(9);
        assertThat(openAi("gpt-4o").systemTokens("")).isZero();
    }

    @Test
    void cookbookExampleMatchesTheApiCounts() {
        // OpenAI's cookbook example: five system messages (four with a name) and a user message; the API counted
        // 129 prompt tokens for gpt-4 / gpt-3.5-turbo (cl100k_base) and 124 for gpt-4o / gpt-4o-mini (o200k_base).
        // llmo has no "name" field, so the test adds what a name costs there: its tokens plus 1.
        String[][] system = {
            {null, "You are a helpful, pattern-following assistant that translates corporate jargon into plain English."},
            {"example_user", "New synergies will help drive top-line growth."},
            {"example_assistant", "Things working well together will increase revenue."},
            {"example_user", "Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage."},
            {"example_assistant", "Let's talk later when we're less busy about how to do better."},
        };
        String user = "This late pivot means we don't have time to boil the ocean for the client deliverable.";
        for (var expected : Map.of("gpt-4", 129L, "gpt-3.5-turbo", 129L, "gpt-4o", 124L, "gpt-4o-mini", 124L)
                .entrySet()) {
            TiktokenCounter counter = openAi(expected.getKey());
            long total = counter.messageTokens(ChatMessage.user(user)) + counter.replyPriming();
            for (String[] message : system) {
                total += counter.systemTokens(message[1]) + (message[0] == null ? 0 : counter.text(message[0]) + 1);
            }
            assertThat(total).as(expected.getKey()).isEqualTo(expected.getValue());
        }
    }

    @Test
    void toolCallsResultsReasoningAndDeclarationsAreCountedAsTheyAreSent() {
        TiktokenCounter counter = openAi("gpt-4o");
        String arguments = "{\"city\": \"Paris\"}";
        ChatMessage calls = ChatMessage.assistant(List.of(Part.Reasoning.of("The user wants weather."),
                new Part.Text("Checking."), new Part.ToolCall("call_A", "get_weather", arguments),
                new Part.ToolCall("call_B", "get_weather", "{}")));
        // framing and role as any message, the text, then per call 3 + name + arguments, and the reasoning sent back
        assertThat(counter.messageTokens(calls)).isEqualTo(3 + 1 + counter.text("Checking.")
                + 3 + counter.text("get_weather") + counter.text(arguments)
                + 3 + counter.text("get_weather") + counter.text("{}")
                + counter.text("The user wants weather."));
        // reasoning beside no call is not sent back, so it costs nothing
        assertThat(counter.messageTokens(ChatMessage.assistant(List.of(Part.Reasoning.of("The user wants weather."),
                new Part.Text("Checking."))))).isEqualTo(counter.messageTokens(ChatMessage.assistant("Checking.")));
        // a tool turn is one "tool" message per result
        ChatMessage results = ChatMessage.toolResults(List.of(new Part.ToolResult("call_A", "18°C", false),
                new Part.ToolResult("call_B", "no such city", true)));
        assertThat(counter.messageTokens(results)).isEqualTo(3 + counter.text("tool") + counter.text("18°C")
                + 3 + counter.text("tool") + counter.text("no such city"));

        String schema = "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}";
        List<ToolDeclaration> tools = List.of(new ToolDeclaration("get_weather", "Current weather", schema));
        assertThat(counter.toolTokens(List.of())).isZero();
        assertThat(counter.toolTokens(tools)).isEqualTo(12 + 10 + counter.text("get_weather")
                + counter.text("Current weather") + counter.text(schema));
        ChatRequest request = new ChatRequest("gpt-4o", null, List.of(ChatMessage.user("Weather?"), calls, results),
                Map.of(), null, false, tools);
        assertThat(counter.count(request)).isEqualTo(counter.count(null, request.messages()) + counter.toolTokens(tools));

        // an estimate scales the cl100k_base count as it scales messages
        TokenCounter claude = TokenCounters.create().forModel(ProviderType.ANTHROPIC, "anthropic", "claude");
        assertThat(claude.toolTokens(tools))
                .isEqualTo((long) Math.ceil(openAi("gpt-4").toolTokens(tools) * (1.20 * 110 / 100.0)));
    }

    @Test
    void specialTokenTextIsCountedAsOrdinaryText() {
        // what a user types is text: "<|endoftext|>" is several tokens, not the special one (and no exception)
        assertThat(openAi("gpt-4o").text("<|endoftext|>")).isGreaterThan(1);
    }

    @Test
    void estimatesAreTheCl100kCountTimesTheRatioPlusTheMargin() {
        TokenCounters counters = TokenCounters.create();
        TokenCounter claude = counters.forModel(ProviderType.ANTHROPIC, "anthropic", "claude-sonnet-4-5");
        TokenCounter gemini = counters.forModel(ProviderType.GEMINI, "gemini", "gemini-2.5-flash");
        ChatMessage hello = ChatMessage.user("hello world"); // 6 raw tokens with framing
        assertThat(claude.messageTokens(hello)).isEqualTo((long) Math.ceil(6 * 1.20 * 1.10)); // 8
        assertThat(gemini.messageTokens(hello)).isEqualTo((long) Math.ceil(6 * 1.00 * 1.10)); // 7
        assertThat(claude.method()).isEqualTo("estimate: cl100k_base × 1.20 (built-in ratio) + 10%");
        assertThat(claude.systemTokens(null)).isZero();
    }

    @Test
    void reportedUsageCalibratesTheEstimateOfThatProviderOnly() {
        TokenCounters counters = TokenCounters.create();
        TokenCounter claude = counters.forModel(ProviderType.ANTHROPIC, "anthropic", "claude-sonnet-4-5");
        TokenCounter other = counters.forModel(ProviderType.ANTHROPIC, "proxy", "claude-sonnet-4-5");
        ChatRequest request = ChatRequest.of("claude-sonnet-4-5", "Be brief.", "word ".repeat(200), false);
        long raw = ((TiktokenCounter) counters.forModel(ProviderType.OPENAI, "openai", "gpt-4")).count(request);
        long before = claude.count(request);

        claude.observe(request, Usage.of(raw * 2, 10)); // this provider's tokenizer makes twice as many

        assertThat(counters.calibration().ratio("anthropic", 1.2)).isEqualTo(new TokenCalibration.Ratio(2.0, 1));
        long after = claude.count(request);
        assertThat(after).isGreaterThan(before).isGreaterThanOrEqualTo((long) (raw * 2 * 1.10));
        assertThat(claude.method()).contains("× 2.00 (ratio learned from 1 response)");
        assertThat(other.count(request)).isEqualTo(before);

        claude.observe(request, Usage.of(raw, 10)); // moves a third of the way back: 2 + (1 - 2) / 3
        assertThat(counters.calibration().ratio("anthropic", 1.2).value()).isCloseTo(5.0 / 3.0,
                org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void calibrationIgnoresTinyRequestsAndAbsurdReports() {
        TokenCalibration calibration = new TokenCalibration();
        assertThat(calibration.record("p", 10, 30)).isFalse();       // mostly framing
        assertThat(calibration.record("p", 1000, 10_000)).isFalse(); // 10×: cached prompts or tools, not a ratio
        assertThat(calibration.record("p", 1000, 0)).isFalse();
        assertThat(calibration.ratio("p", 1.1)).isEqualTo(new TokenCalibration.Ratio(1.1, 0));
        assertThat(calibration.record("p", 1000, 1300)).isTrue();
        assertThat(calibration.ratio("p", 1.1)).isEqualTo(new TokenCalibration.Ratio(1.3, 1));
    }

    @Test
    void countsOfAMessageAreCachedNotRecomputed() {
        MessageTokenCache cache = new MessageTokenCache(2);
        int[] calls = {0};
        java.util.function.ToLongFunction<String> tokenise = text -> {
            calls[0]++;
            return text.length();
        };
        assertThat(cache.count("abc", tokenise)).isEqualTo(3);
        assertThat(cache.count(new String("abc"), tokenise)).isEqualTo(3); // equal content, another instance
        assertThat(calls[0]).isEqualTo(1);
        cache.count("d", tokenise);
        cache.count("e", tokenise); // evicts "abc", the least recently used
        assertThat(cache.size()).isEqualTo(2);
        cache.count("abc", tokenise);
        assertThat(calls[0]).isEqualTo(4);
    }
}
