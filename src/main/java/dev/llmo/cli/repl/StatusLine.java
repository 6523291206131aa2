package dev.llmo.cli.repl;

import dev.llmo.config.ModelRef;
import dev.llmo.core.RunResult;
import dev.llmo.cost.Usd;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The one-line summary shown after each answer, and the number formats chat uses for money and tokens. */
final class StatusLine {
    private StatusLine() {
    }

    /**
     * {@code openai/gpt-4o-mini · 1,204 in / 310 out tokens · $0.00037 · session $0.0021 · context 0.9% of 128,000 ·
     * 1.92 s}; the context share is left out when the window or the input tokens are unknown.
     */
    static String of(RunResult result, BigDecimal sessionUsd) {
        List<String> parts = new ArrayList<>();
        parts.add(result.model().id());
        if (result.usage() == null) {
            parts.add("tokens unknown");
        } else {
            parts.add(Usd.count(result.usage().inputTokens()) + " in / " + Usd.count(result.usage().outputTokens())
                    + " out tokens");
        }
        parts.add(result.costUsd() == null ? "cost unknown" : usd(result.costUsd()));
        parts.add("session " + usd(sessionUsd));
        String context = contextShare(result.model(), result.usage() == null ? null : result.usage().inputTokens());
        if (context != null) {
            parts.add(context);
        }
        parts.add(seconds(result.latencyMs()));
        return String.join(" · ", parts);
    }

    /** {@code context 12.5% of 128,000}, or null when the window or the tokens are unknown. */
    static String contextShare(ModelRef model, Long tokens) {
        Long window = model.spec().contextWindow();
        if (window == null || window <= 0 || tokens == null) {
            return null;
        }
        return "context " + percent(tokens, window) + " of " + Usd.count(window);
    }

    static String percent(long part, long whole) {
        double share = 100.0 * part / whole;
        if (part > 0 && share < 0.1) {
            return "<0.1%";
        }
        return String.format(Locale.ROOT, "%.1f%%", share);
    }

    /** Dollars with at least two significant digits: $0.0000048 must not show as $0.00. */
    static String usd(BigDecimal usd) {
        if (usd.signum() == 0) {
            return "$0";
        }
        BigDecimal shown = usd.compareTo(BigDecimal.valueOf(0.01)) < 0 ? usd.round(new MathContext(2))
                : usd.setScale(Math.max(2, Math.min(usd.scale(), 4)), RoundingMode.HALF_UP);
        return "$" + shown.stripTrailingZeros().toPlainString();
    }

    static String seconds(long millis) {
        return millis < 1000 ? millis + " ms" : String.format(Locale.ROOT, "%.2f s", millis / 1000.0);
    }
}
