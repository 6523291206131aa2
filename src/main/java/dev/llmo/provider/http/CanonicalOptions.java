package dev.llmo.provider.http;

import dev.llmo.failure.ConfigException;
import dev.llmo.failure.UsageException;
import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * llmo's own request options, the same for every model (design.md "Messages and parts"): each wire format's options
 * class ({@code OpenAiOptions}, {@code AnthropicOptions}, {@code GeminiOptions}) translates them into its own fields;
 * any other option passes through unchanged.
 *
 * <ul>
 *   <li>{@code max_tokens}: the most tokens the answer may use, reasoning included</li>
 *   <li>{@code temperature}, {@code top_p}, {@code seed}</li>
 *   <li>{@code stop}: a string or a list of strings that end the answer</li>
 *   <li>{@code reasoning_effort}: {@code none|minimal|low|medium|high} (an OpenAI model may take others, which pass
 *       through to it)</li>
 *   <li>{@code reasoning_budget}: the tokens the model may spend thinking (Anthropic and Gemini; 0 turns thinking
 *       off)</li>
 * </ul>
 */
public final class CanonicalOptions {
    public static final String MAX_TOKENS = "max_tokens";
    public static final String TEMPERATURE = "temperature";
    public static final String TOP_P = "top_p";
    public static final String SEED = "seed";
    public static final String STOP = "stop";
    public static final String REASONING_EFFORT = "reasoning_effort";
    public static final String REASONING_BUDGET = "reasoning_budget";

    /** Every canonical option, in the order the docs list them. */
    public static final List<String> NAMES = List.of(MAX_TOKENS, TEMPERATURE, TOP_P, SEED, STOP, REASONING_EFFORT,
            REASONING_BUDGET);

    /**
     * The thinking tokens of each effort level where a format takes a budget (Anthropic, Gemini). {@code low} is
     * Anthropic's smallest budget; {@code high} is the largest every Gemini 2.5 model takes.
     */
    private static final Map<String, Long> EFFORT_BUDGETS = Map.of("none", 0L, "minimal", 1024L, "low", 2048L,
            "medium", 8192L, "high", 24576L);
    private static final String LEVELS = "none, minimal, low, medium, high";

    private CanonicalOptions() {
    }

    /**
     * The reasoning asked for: {@code effort} as given (null when only a budget was), and the thinking tokens it
     * means (the budget given, else the effort's from the table; null for an effort the table does not know).
     */
    public record Reasoning(String effort, Long budgetTokens) {
        /** Whether thinking is asked to be off ({@code reasoning_effort=none}, {@code reasoning_budget=0}). */
        public boolean off() {
            return budgetTokens != null && budgetTokens == 0;
        }

        /** The thinking budget, for a format that takes one: an unknown level is refused, naming the known ones. */
        public long budgetFor(String format) {
            if (budgetTokens == null) {
                throw new UsageException("reasoning_effort '" + effort + "' is not a level llmo can translate for the "
                        + format + " format", "use -o reasoning_effort=" + LEVELS.replace(", ", "|")
                        + ", or -o reasoning_budget=TOKENS");
            }
            return budgetTokens;
        }
    }

    /**
     * Checks the values of the canonical options, then returns {@link #reasoning}: what every wire format's options
     * class calls first, so that a request is refused the same way whatever its format, and {@code --dry-run} (which
     * translates the options as a call would) refuses what a call would. Other options are the provider's to judge.
     *
     * @throws UsageException (exit 2) naming the option, its value and what it takes
     */
    public static Reasoning checked(Map<String, ?> options) {
        Object maxTokens = options.get(MAX_TOKENS);
        if (maxTokens != null && (count(maxTokens) == null || count(maxTokens) == 0)) {
            throw badValue(MAX_TOKENS, maxTokens, "a whole number of tokens above 0", "1000");
        }
        checkRange(options, TEMPERATURE, "2", "0.2");
        checkRange(options, TOP_P, "1", "0.9");
        Object seed = options.get(SEED);
        if (seed != null && !(seed instanceof Number number && isWhole(number))) {
            throw badValue(SEED, seed, "a whole number", "42");
        }
        Object stop = options.get(STOP);
        if (stop != null && !(stop instanceof String) && !(stop instanceof List<?> list
                && list.stream().allMatch(String.class::isInstance))) {
            throw badValue(STOP, stop, "a string or a list of strings", "'[\"END\"]'");
        }
        return reasoning(options);
    }

    /**
     * Checks options a configuration file sets, as {@link #checked} checks {@code -o}'s, and refuses a bad one as that
     * file's mistake: exit 3, at its place in the file, with a fix that edits the file rather than the command line.
     *
     * @param where the options' place, {@code path:line:column}
     * @param owner what sets them, e.g. {@code model 'a'}, {@code role 'Hot'}
     * @param fix   how to mend it, e.g. {@code change it in the model's entry in models.yaml}
     * @throws ConfigException (exit 3)
     */
    public static void checkConfigured(Map<String, ?> options, String where, String owner, String fix) {
        if (options.isEmpty()) {
            return;
        }
        try {
            checked(options);
        } catch (UsageException e) {
            throw new ConfigException(where + ": " + owner + ": " + e.getMessage(), fix);
        }
    }

    private static void checkRange(Map<String, ?> options, String name, String max, String example) {
        Object value = options.get(name);
        if (value == null) {
            return;
        }
        BigDecimal number = decimal(value);
        if (number == null || number.signum() < 0 || number.compareTo(new BigDecimal(max)) > 0) {
            throw badValue(name, value, "a number from 0 to " + max, example);
        }
    }

    /**
     * Refuses option {@code name} above {@code max} for a format whose API documents a narrower range than
     * {@link #checked} allows (Anthropic's {@code temperature} is 0 to 1, where OpenAI and Gemini take 0 to 2): the
     * provider would answer HTTP 400 after the request was sent.
     *
     * @throws UsageException (exit 2) naming the option, its value, the provider's range and an example
     */
    public static void requireAtMost(Map<String, ?> options, String name, String max, String format,
                                     String example) {
        Object value = options.get(name);
        BigDecimal number = value == null ? null : decimal(value);
        if (number != null && number.compareTo(new BigDecimal(max)) > 0) {
            String shown = value instanceof String text ? "'" + text + "'" : String.valueOf(value);
            throw new UsageException("option " + name + " is " + shown + ", but " + format + " takes a number from 0 to "
                    + max, "e.g. -o " + name + "=" + example);
        }
    }

    private static UsageException badValue(String name, Object value, String takes, String example) {
        String shown = value instanceof String text ? "'" + text + "'" : String.valueOf(value);
        return new UsageException("option " + name + " is " + shown + ", but it takes " + takes,
                "e.g. -o " + name + "=" + example);
    }

    private static BigDecimal decimal(Object value) {
        if (!(value instanceof Number number)) {
            return null;
        }
        try {
            return new BigDecimal(number.toString());
        } catch (NumberFormatException e) {
            return null; // NaN, infinite
        }
    }

    private static boolean isWhole(Number number) {
        BigDecimal exact = decimal(number);
        return exact != null && exact.stripTrailingZeros().scale() <= 0;
    }

    /**
     * The reasoning the options ask for, or null when they ask for none.
     *
     * @throws UsageException when both options are set, the effort is not a word or the budget not a count
     */
    public static Reasoning reasoning(Map<String, ?> options) {
        Object effort = options.get(REASONING_EFFORT);
        Object budget = options.get(REASONING_BUDGET);
        if (effort != null && budget != null) {
            throw new UsageException("options reasoning_effort and reasoning_budget both set the reasoning",
                    "give one of them");
        }
        if (effort != null) {
            if (!(effort instanceof String word) || word.isBlank()) {
                throw new UsageException("reasoning_effort must be a level (" + LEVELS + "), not " + effort,
                        "e.g. -o reasoning_effort=low");
            }
            return new Reasoning(word, EFFORT_BUDGETS.get(word.strip().toLowerCase(Locale.ROOT)));
        }
        if (budget != null) {
            Long tokens = count(budget);
            if (tokens == null) {
                throw new UsageException("reasoning_budget must be a number of tokens (0 or more), not " + budget,
                        "e.g. -o reasoning_budget=4096");
            }
            return new Reasoning(null, tokens);
        }
        return null;
    }

    /**
     * The thinking tokens the options ask for, leniently: 0 for none or for options the translation will refuse, and
     * the most the table knows for an effort level it does not (an OpenAI-only level such as {@code xhigh}). What the
     * default answer limit adds for reasoning.
     */
    public static long reasoningTokens(Map<String, ?> options) {
        try {
            Reasoning reasoning = reasoning(options);
            if (reasoning == null) {
                return 0;
            }
            return reasoning.budgetTokens() != null ? reasoning.budgetTokens() : EFFORT_BUDGETS.get("high");
        } catch (UsageException e) {
            return 0; // reported when the request is built
        }
    }

    /** A whole number of tokens, 0 or more (4096, 4096.0); null for anything else. */
    public static Long count(Object value) {
        if (!(value instanceof Number number)) {
            return null;
        }
        try {
            BigDecimal exact = new BigDecimal(number.toString());
            return exact.signum() >= 0 ? exact.longValueExact() : null;
        } catch (ArithmeticException | NumberFormatException e) {
            return null; // fractional, too large, NaN
        }
    }

    /** {@code stop} as a list: a single string becomes a list of one, as the formats that take only lists want. */
    public static Object stopList(Object stop) {
        return stop instanceof String text ? List.of(text) : stop;
    }
}
