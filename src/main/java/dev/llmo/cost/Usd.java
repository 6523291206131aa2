package dev.llmo.cost;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Locale;

/**
 * Money helpers: USD amounts are {@link BigDecimal}, logged amounts are integer micro-USD ({@code cost_micro_usd}),
 * and neither is ever a double.
 */
public final class Usd {
    private static final int MICRO_SCALE = 6;

    private Usd() {
    }

    /**
     * {@code usd} in whole micro-dollars, rounded half up (so sums over many calls are not biased either way);
     * null stays null: an unknown price is not a zero price.
     */
    public static Long toMicro(BigDecimal usd) {
        return usd == null ? null : usd.setScale(MICRO_SCALE, RoundingMode.HALF_UP).unscaledValue().longValueExact();
    }

    /** {@code usd} in whole micro-dollars rounded up: for amounts held against a budget, never under the estimate. */
    public static long toMicroCeiling(BigDecimal usd) {
        return usd.setScale(MICRO_SCALE, RoundingMode.CEILING).unscaledValue().longValueExact();
    }

    /** The USD amount of {@code micro} micro-dollars. */
    public static BigDecimal ofMicro(long micro) {
        return BigDecimal.valueOf(micro, MICRO_SCALE);
    }

    /**
     * For people: two decimals from a dollar up ({@code $4.99}); below, three significant digits
     * ({@code $0.0123}, {@code $0.000048}), with trailing zeros kept only when they stand for digits rounded away
     * ({@code $0.0100} is a little more than a cent, {@code $0.01} is a cent); {@code unknown} for null.
     */
    public static String format(BigDecimal usd) {
        if (usd == null) {
            return "unknown";
        }
        BigDecimal shown;
        if (usd.abs().compareTo(BigDecimal.ONE) >= 0) {
            shown = usd.setScale(2, RoundingMode.HALF_UP);
        } else {
            shown = usd.round(new MathContext(3, RoundingMode.HALF_UP));
            if (shown.compareTo(usd) == 0) {
                shown = shown.stripTrailingZeros();
            }
            if (shown.scale() < 2) {
                shown = shown.setScale(2);
            }
        }
        return "$" + shown.toPlainString();
    }

    /** Micro-dollars for people, exact ({@code $0.000048}, {@code $12.50}). */
    public static String formatMicro(long micro) {
        return formatExact(ofMicro(micro));
    }

    /**
     * A total over calls some of whose prices may be unknown, for people, the same everywhere ({@code llmo cost},
     * {@code log list}, {@code log show}): {@code $0.0123} when every price is known, {@code $0.0123 + 2 unknown}
     * when some are not (the known part is a lower bound), {@code unknown} when none is; {@code $0.00} for no calls.
     *
     * @param knownMicroUsd the sum of the calls of known price
     * @param unknownCalls how many calls had no known price
     * @param calls how many calls in all
     */
    public static String formatTotal(long knownMicroUsd, long unknownCalls, long calls) {
        if (calls > 0 && unknownCalls >= calls) {
            return "unknown";
        }
        String known = formatMicro(knownMicroUsd);
        return unknownCalls == 0 ? known : known + " + " + unknownCalls + " unknown";
    }

    /** One call's cost for people: exact, or {@code cost unknown} (as {@code run -u} says it) for null. */
    public static String formatCall(Long micro) {
        return micro == null ? "cost unknown" : formatMicro(micro);
    }

    /**
     * For people, exact to the micro-dollar with at least two decimals ({@code $4.999}, {@code $5.00}): for amounts
     * compared with a budget, where rounding $4.999 to $5.00 would make the comparison look wrong.
     */
    public static String formatExact(BigDecimal usd) {
        if (usd == null) {
            return "unknown";
        }
        BigDecimal value = usd.setScale(MICRO_SCALE, RoundingMode.HALF_UP).stripTrailingZeros();
        return "$" + value.setScale(Math.max(2, value.scale())).toPlainString();
    }

    /**
     * {@code usd} ready to be a JSON number that every writer prints in plain notation: at most six decimals
     * (rounded up, as estimates are upper bounds), no trailing zeros, never {@code 1E+3} or {@code 4.8E-7}.
     */
    public static BigDecimal forJson(BigDecimal usd) {
        if (usd == null) {
            return null;
        }
        BigDecimal value = usd.setScale(MICRO_SCALE, RoundingMode.CEILING).stripTrailingZeros();
        return value.scale() < 0 ? value.setScale(0) : value;
    }

    /**
     * A count for people: {@code 1,234}. By hand: the first {@code %,d} of a process sets up the formatter and the
     * locale's symbols, ~7 ms of CPU that a run's budget check and usage line paid (ADR-003, "Seventeenth round").
     */
    public static String count(long value) {
        String digits = Long.toString(value);
        int sign = value < 0 ? 1 : 0;
        StringBuilder text = new StringBuilder(digits.length() + digits.length() / 3);
        text.append(digits, 0, sign);
        for (int i = sign; i < digits.length(); i++) {
            if (i > sign && (digits.length() - i) % 3 == 0) {
                text.append(',');
            }
            text.append(digits.charAt(i));
        }
        return text.toString();
    }
}
