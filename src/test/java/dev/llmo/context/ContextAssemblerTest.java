package dev.llmo.context;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmo.config.ProviderType;
import dev.llmo.failure.BudgetException;
import dev.llmo.failure.ExitCode;
import dev.llmo.provider.ChatMessage;
import dev.llmo.message.Part;
import dev.llmo.provider.ChatMessage.Role;
import dev.llmo.provider.ToolDeclaration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ContextAssemblerTest {
    private static final TokenCounters COUNTERS = TokenCounters.create();

    /** A counter whose numbers are easy to follow: a message costs its length, the system prompt too, priming 1. */
    static final TokenCounter LENGTH = new TokenCounter() {
        @Override
        public String method() {
            return "length";
        }

        @Override
        public boolean exact() {
            return true;
        }

        @Override
        public long systemTokens(String system) {
            return system == null ? 0 : system.length();
        }

        @Override
        public long messageTokens(ChatMessage message) {
            return message.content().length();
        }

        @Override
        public long toolTokens(List<ToolDeclaration> tools) {
            return tools.stream().mapToLong(tool -> tool.parametersJson().length()).sum();
        }

        @Override
        public long replyPriming() {
            return 1;
        }
    };

    private static ModelCaps caps(Long window, Long maxOutput) {
        return new ModelCaps("openai/test", window, maxOutput);
    }

    private static List<ChatMessage> chat(String... contents) {
        List<ChatMessage> messages = new ArrayList<>();
        for (int i = 0; i < contents.length; i++) {
            messages.add(new ChatMessage(i % 2 == 0 ? Role.USER : Role.ASSISTANT, contents[i]));
        }
        return messages;
    }

    @Test
    void keepsEverythingWhenItFits() {
        List<ChatMessage> history = chat("aaaa", "bbbb", "cc");
        ContextReport report = new ContextAssembler(LENGTH).build("sys", history, caps(100L, 10L), ContextBudget.NONE);
        assertThat(report.messages()).isEqualTo(history);
        assertThat(report.inputTokens()).isEqualTo(3 + 4 + 4 + 2 + 1);
        assertThat(report.limit()).isEqualTo(90);
        assertThat(report.droppedMessages()).isZero();
        assertThat(report.droppedIndices()).isEmpty();
        assertThat(report.keptTurns()).isEqualTo(2);
        assertThat(report.droppedTurns()).isZero();
        assertThat(report.system()).isEqualTo("sys");
    }

    @Test
    void dropsTheOldestWholeTurnsFirst() {
        // turns: [u0 a1] [u2 a3] [u4 a5] [u6]; system 3 + priming 1 + newest 1 = 5; limit 20 - 5 = 15
        List<ChatMessage> history = chat("uuuuu", "aaaaa", "uuu", "aaa", "uu", "aa", "u");
        ContextReport report = new ContextAssembler(LENGTH).build("sys", history, caps(20L, 5L), ContextBudget.NONE);
        // newest 5, + [u4 a5] 4 = 9, + [u2 a3] 6 = 15, + [u0 a1] 10 = 25 > 15
        assertThat(report.messages()).isEqualTo(history.subList(2, 7));
        assertThat(report.inputTokens()).isEqualTo(15);
        assertThat(report.droppedMessages()).isEqualTo(2);
        assertThat(report.droppedIndices()).containsExactly(0, 1);
        assertThat(report.droppedTokens()).isEqualTo(10);
        assertThat(report.keptTurns()).isEqualTo(3);
        assertThat(report.droppedTurns()).isEqualTo(1);
    }

    @Test
    void neverSplitsATurnEvenWhenItsAnswerAloneWouldFit() {
        // [u0 a1] costs 1 + 30: the answer alone would fit, the turn does not
        List<ChatMessage> history = chat("q", "a".repeat(30), "newest");
        ContextReport report = new ContextAssembler(LENGTH).build(null, history, caps(null, null),
                new ContextBudget(20L));
        assertThat(report.messages()).containsExactly(history.get(2));
        assertThat(report.limit()).isEqualTo(20);
    }

    @Test
    void stopsAtTheFirstTurnThatDoesNotFitAndKeepsNoOlderOne() {
        // an older small turn would fit in what is left, but sending it without the one after would leave a gap
        List<ChatMessage> history = chat("a", "b", "x".repeat(50), "y", "now");
        ContextReport report = new ContextAssembler(LENGTH).build(null, history, caps(null, null),
                new ContextBudget(10L));
        assertThat(report.messages()).containsExactly(history.get(4));
        assertThat(report.droppedMessages()).isEqualTo(4);
    }

    @Test
    void theNewestTurnIncludesAnAssistantPrefillAfterIt() {
        List<ChatMessage> history = chat("old", "answer", "new question", "Sure, here");
        ContextReport report = new ContextAssembler(LENGTH).build(null, history, caps(null, null),
                new ContextBudget(25L));
        assertThat(report.messages()).isEqualTo(history.subList(2, 4));
    }

    @Test
    void anUnknownWindowAndNoBudgetKeepEverything() {
        List<ChatMessage> history = chat("x".repeat(10_000), "y".repeat(10_000), "z");
        ContextReport report = new ContextAssembler(LENGTH).build(null, history, caps(null, 100L), ContextBudget.NONE);
        assertThat(report.messages()).hasSize(3);
        assertThat(report.limit()).isNull();
    }

    @Test
    void withoutAnOutputLimitAQuarterOfTheWindowUpTo4096IsReserved() {
        assertThat(caps(8000L, null).reservedOutputTokens()).isEqualTo(2000);
        assertThat(caps(128_000L, null).reservedOutputTokens()).isEqualTo(4096);
        assertThat(caps(null, null).reservedOutputTokens()).isZero();
        assertThat(ContextAssembler.limit(caps(128_000L, null), ContextBudget.NONE)).isEqualTo(128_000 - 4096);
        assertThat(ContextAssembler.limit(caps(128_000L, 16_384L), new ContextBudget(50_000L))).isEqualTo(50_000);
    }

    @Test
    void anOversizedPromptIsRefusedWithTheNumbers() {
        List<ChatMessage> history = chat("x".repeat(200));
        ContextAssembler assembler = new ContextAssembler(LENGTH);
        assertThatThrownBy(() -> assembler.build("sys", history, new ModelCaps("openai/gpt-4o-mini", 150L, 50L),
                ContextBudget.NONE))
                .isInstanceOfSatisfying(BudgetException.class, e -> {
                    assertThat(e.exitCode()).isEqualTo(ExitCode.BUDGET);
                    assertThat(e.fix()).contains("-o max_tokens=N", "llmo models");
                })
                .hasMessage("the prompt needs 204 tokens (system prompt and newest message) but openai/gpt-4o-mini "
                        + "has room for 100 tokens: a 150-token context window minus 50 tokens reserved for the "
                        + "answer; nothing was sent");
    }

    @Test
    void anOversizedPromptUnderATokenBudgetNamesTheBudget() {
        ContextAssembler assembler = new ContextAssembler(LENGTH);
        assertThatThrownBy(() -> assembler.build(null, chat("x".repeat(2000)), caps(128_000L, 1000L),
                new ContextBudget(1_500L)))
                .isInstanceOf(BudgetException.class)
                .hasMessageContaining("needs 2,001 tokens")
                .hasMessageContaining("the input budget for openai/test is 1,500 tokens");
    }

    @Test
    void estimatedCountsSayTheyAreEstimates() {
        TokenCounter claude = COUNTERS.forModel(ProviderType.ANTHROPIC, "anthropic", "claude");
        assertThatThrownBy(() -> new ContextAssembler(claude).build(null, chat("word ".repeat(500)),
                new ModelCaps("anthropic/claude", 200L, 100L), ContextBudget.NONE))
                .isInstanceOf(BudgetException.class)
                .hasMessageContaining("(estimated)");
    }

    /** An assistant turn calling a tool, of LENGTH 0 (no text), and the tool turn answering it, of LENGTH 0. */
    private static List<ChatMessage> toolRound(String id) {
        return List.of(ChatMessage.assistant(List.of(new Part.ToolCall(id, "get_sum", "{}"))),
                ChatMessage.toolResults(List.of(new Part.ToolResult(id, "5", false))));
    }

    @Test
    void aToolTurnStaysWithTheCallsItAnswersAndStartsNoTurn() {
        // [u0 a1(call) t2 a3] [u4 a5(call) t6 a7(call) t8]: the newest turn holds every round since the user spoke
        List<ChatMessage> history = new ArrayList<>();
        history.add(ChatMessage.user("q".repeat(10)));
        history.addAll(toolRound("call_0"));
        history.add(ChatMessage.assistant("a".repeat(10)));
        history.add(ChatMessage.user("now"));
        history.addAll(toolRound("call_1"));
        history.addAll(toolRound("call_2"));

        ContextReport all = new ContextAssembler(LENGTH).build(null, history, caps(null, null), new ContextBudget(24L));
        assertThat(all.messages()).isEqualTo(history);
        assertThat(all.keptTurns()).isEqualTo(2);

        // one token short: the older turn goes whole, its tool round with it, never the call without its result
        ContextReport trimmed = new ContextAssembler(LENGTH).build(null, history, caps(null, null),
                new ContextBudget(23L));
        assertThat(trimmed.messages()).isEqualTo(history.subList(4, 9));
        assertThat(trimmed.droppedTurns()).isEqualTo(1);
        assertThat(trimmed.droppedMessages()).isEqualTo(4);
    }

    @Test
    void theDeclaredToolsAreAlwaysCountedAndMakeTheCountAnEstimate() {
        List<ToolDeclaration> tools = List.of(new ToolDeclaration("get_sum", "", "{\"type\":\"object\"}"));
        TokenCounter exact = COUNTERS.forModel(ProviderType.OPENAI, "openai", "gpt-4o-mini");
        List<ChatMessage> history = chat("old", "answer", "new");
        ContextReport without = new ContextAssembler(exact).build(null, history, caps(null, null), ContextBudget.NONE);
        ContextReport with = new ContextAssembler(exact).build(null, tools, history, caps(null, null),
                ContextBudget.NONE);
        assertThat(with.inputTokens()).isEqualTo(without.inputTokens() + exact.toolTokens(tools));
        assertThat(without.exact()).isTrue();
        assertThat(with.exact()).isFalse();

        // the schema (17 characters for LENGTH) leaves no room for the older turn
        ContextReport fitted = new ContextAssembler(LENGTH).build(null, tools, history, caps(null, null),
                new ContextBudget(25L));
        assertThat(fitted.inputTokens()).isEqualTo(17 + 3 + 1);
        assertThat(fitted.messages()).containsExactly(history.get(2));
        assertThatThrownBy(() -> new ContextAssembler(LENGTH).build(null, tools, history, caps(null, null),
                new ContextBudget(20L)))
                .isInstanceOf(BudgetException.class)
                .hasMessage("the prompt needs 21 tokens (estimated: system prompt, tools and the newest message with "
                        + "its tool calls and results) but the input budget for openai/test is 20 tokens; nothing "
                        + "was sent");
    }

    @Test
    void anEmptyHistoryIsABug() {
        assertThatThrownBy(() -> new ContextAssembler(LENGTH).build("s", List.of(), caps(10L, 1L), ContextBudget.NONE))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void randomHistoriesFitKeepSystemAndNewestAndWholeRecentTurns() {
        Random random = new Random(20261121);
        TokenCounter exact = COUNTERS.forModel(ProviderType.OPENAI, "openai", "gpt-4o-mini");
        int refused = 0;
        int trimmed = 0;
        for (int round = 0; round < 400; round++) {
            TokenCounter counter = round % 4 == 0 ? exact : LENGTH;
            List<ChatMessage> history = randomHistory(random);
            String system = random.nextInt(4) == 0 ? null : words(random, random.nextInt(40));
            long window = 20 + random.nextInt(2_000);
            Long maxOut = random.nextBoolean() ? null : (long) random.nextInt((int) window / 2 + 1);
            ContextBudget budget = random.nextInt(3) == 0 ? new ContextBudget(1L + random.nextInt(2_000))
                    : ContextBudget.NONE;
            ModelCaps caps = caps(window, maxOut);
            long limit = ContextAssembler.limit(caps, budget);
            int newest = lastUser(history);
            long required = counter.count(system, history.subList(newest, history.size()));

            ContextReport report;
            try {
                report = new ContextAssembler(counter).build(system, history, caps, budget);
            } catch (BudgetException e) {
                assertThat(required).as("refused only when the newest turn cannot fit").isGreaterThan(limit);
                refused++;
                continue;
            }
            assertThat(required).isLessThanOrEqualTo(limit);
            int from = report.keptFrom();
            // never over the limit, and the count is the whole request's
            assertThat(report.inputTokens()).isLessThanOrEqualTo(limit)
                    .isEqualTo(counter.count(system, report.messages()));
            // the system prompt and the newest turn are always there
            assertThat(report.system()).isEqualTo(system);
            assertThat(from).isLessThanOrEqualTo(newest);
            assertThat(report.messages()).isEqualTo(history.subList(from, history.size()));
            // a turn is never split: what is kept starts at a user message (or the very first message)
            assertThat(from == 0 || history.get(from).role() == Role.USER).isTrue();
            // the most recent turns: the turn just before would not have fitted
            if (from > 0) {
                int previousTurn = from - 1;
                while (previousTurn > 0 && history.get(previousTurn).role() != Role.USER) {
                    previousTurn--;
                }
                long withIt = counter.count(system, history.subList(previousTurn, history.size()));
                assertThat(withIt).isGreaterThan(limit);
                trimmed++;
            }
            long dropped = 0;
            for (ChatMessage message : history.subList(0, from)) {
                dropped += counter.messageTokens(message);
            }
            assertThat(report.droppedTokens()).isEqualTo(dropped);
            assertThat(report.droppedMessages() + report.keptMessages()).isEqualTo(history.size());
        }
        // the generator exercises every branch
        assertThat(refused).isGreaterThan(10);
        assertThat(trimmed).isGreaterThan(50);
    }

    private static int lastUser(List<ChatMessage> history) {
        int i = history.size() - 1;
        while (i > 0 && history.get(i).role() != Role.USER) {
            i--;
        }
        return i;
    }

    /** Mostly user/assistant pairs; sometimes an unanswered user message, two answers, or a leading answer. */
    private static List<ChatMessage> randomHistory(Random random) {
        List<ChatMessage> history = new ArrayList<>();
        if (random.nextInt(10) == 0) {
            history.add(ChatMessage.assistant(words(random, 5)));
        }
        int turns = random.nextInt(30);
        for (int t = 0; t < turns; t++) {
            history.add(ChatMessage.user(words(random, random.nextInt(60))));
            int answers = random.nextInt(8) == 0 ? 0 : random.nextInt(8) == 0 ? 2 : 1;
            for (int a = 0; a < answers; a++) {
                history.add(ChatMessage.assistant(words(random, random.nextInt(120))));
            }
        }
        history.add(ChatMessage.user(words(random, random.nextInt(random.nextInt(10) == 0 ? 800 : 40))));
        if (random.nextInt(10) == 0) {
            history.add(ChatMessage.assistant("Sure,"));
        }
        return history;
    }

    private static String words(Random random, int count) {
        String[] vocabulary = {"token", "window", "the", "élan", "λ", "context", "budget", "x", "🙂", "fits", "\n"};
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < count; i++) {
            text.append(vocabulary[random.nextInt(vocabulary.length)]).append(' ');
        }
        return text.toString();
    }
}
