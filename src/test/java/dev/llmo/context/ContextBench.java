package dev.llmo.context;

import dev.llmo.config.ProviderType;
import dev.llmo.provider.ChatMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Measures {@link ContextAssembler}: a 100,000-message history into a 128k window (gpt-4o-mini, o200k_base, exact
 * counts), cold (every message tokenised) for 25k, 50k and 100k messages, to show the cost grows linearly; then
 * the next turn of the 100k conversation (two new messages, everything else from the cache). Run by
 * scripts/bench.d/context.sh; prints ratios, asserts nothing.
 */
public final class ContextBench {
    private ContextBench() {
    }

    public static void main(String[] args) {
        int max = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        List<ChatMessage> history = history(max + 2, new Random(7));
        ModelCaps caps = new ModelCaps("openai/gpt-4o-mini", 128_000L, 16_384L);

        // warm the JIT and load the encoding on a separate history, so the runs below compare like with like
        TokenCounters warm = TokenCounters.create();
        for (int i = 0; i < 3; i++) {
            assemble(warm, history(20_000, new Random(100 + i)), caps);
        }

        int[] sizes = {max / 4, max / 2, max};
        double[] ms = new double[sizes.length];
        ContextReport last = null;
        TokenCounters counters = null;
        for (int i = 0; i < sizes.length; i++) {
            double best = Double.MAX_VALUE;
            for (int run = 0; run < 3; run++) {
                counters = TokenCounters.create(); // an empty cache: every message is tokenised
                long start = System.nanoTime();
                last = assemble(counters, tail(history, sizes[i]), caps);
                best = Math.min(best, (System.nanoTime() - start) / 1e6);
            }
            ms[i] = best;
            System.out.printf(Locale.ROOT, "context: %,d messages cold: %.1f ms (kept %,d, dropped %,d, %,d tokens)%n",
                    sizes[i], best, last.keptMessages(), last.droppedMessages(), last.inputTokens());
        }
        // the next turn: the 100k history plus an answer and a new question; only those two are tokenised
        double turn = Double.MAX_VALUE;
        for (int run = 0; run < 5; run++) {
            ContextAssembler assembler = new ContextAssembler(
                    counters.forModel(ProviderType.OPENAI, "openai", "gpt-4o-mini"));
            List<ChatMessage> next = new ArrayList<>(history.subList(0, max));
            next.add(ChatMessage.assistant("answer " + run));
            next.add(ChatMessage.user("question " + run));
            long start = System.nanoTime();
            assembler.build("You are terse.", next, caps, ContextBudget.NONE);
            turn = Math.min(turn, (System.nanoTime() - start) / 1e6);
        }
        System.out.printf(Locale.ROOT, "context: %,d messages, next turn with the cache: %.1f ms%n", max, turn);
        System.out.printf(Locale.ROOT, "context: cold time ratios 25k:50k:100k = 1 : %.2f : %.2f (linear = 1 : 2 : 4)%n",
                ms[1] / ms[0], ms[2] / ms[0]);
        System.out.printf(Locale.ROOT, "context: next turn / cold assembly of %,d messages = %.4f (%.0fx faster)%n",
                max, turn / ms[2], ms[2] / turn);
    }

    /** The newest {@code size} messages: a history that still ends with a user message. */
    private static List<ChatMessage> tail(List<ChatMessage> history, int size) {
        return history.subList(history.size() - size, history.size());
    }

    private static ContextReport assemble(TokenCounters counters, List<ChatMessage> history, ModelCaps caps) {
        TokenCounter counter = counters.forModel(ProviderType.OPENAI, "openai", "gpt-4o-mini");
        return new ContextAssembler(counter).build("You are terse.", history, caps, ContextBudget.NONE);
    }

    /** Alternating user and assistant messages of 5 to 60 words, ending with a user message. */
    static List<ChatMessage> history(int size, Random random) {
        String[] words = {"the", "context", "window", "budget", "token", "assembler", "keeps", "recent", "turns",
            "drops", "old", "ones", "while", "counting", "exactly", "with", "o200k", "cache", "линейно", "快"};
        List<ChatMessage> messages = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            StringBuilder text = new StringBuilder();
            int count = 5 + random.nextInt(56);
            for (int w = 0; w < count; w++) {
                text.append(words[random.nextInt(words.length)]).append(w % 12 == 11 ? ". " : " ");
            }
            text.append(i); // every message distinct: no accidental cache hits
            boolean user = (size - 1 - i) % 2 == 0;
            messages.add(user ? ChatMessage.user(text.toString()) : ChatMessage.assistant(text.toString()));
        }
        return messages;
    }
}
