package dev.llmo.context;

import dev.llmo.provider.ChatMessage;
import dev.llmo.provider.ChatRequest;
import dev.llmo.provider.ToolDeclaration;
import java.util.List;
import dev.llmo.message.Usage;
import java.util.Locale;

/**
 * A calibrated, deliberately high estimate for models whose tokenizer llmo does not have (Anthropic, Gemini,
 * local models behind an OpenAI-compatible server): the cl100k_base count with OpenAI's framing, times the
 * provider's ratio (a built-in guess until the provider's reported usage teaches a better one, see
 * {@link TokenCalibration}), plus a {@value #MARGIN_PERCENT}% safety margin, rounded up per message. Erring
 * high only drops an old turn too early or refuses a request that would just have fit; erring low gets a request
 * rejected by the provider, or a budget passed.
 */
final class EstimatingCounter implements TokenCounter {
    static final int MARGIN_PERCENT = 10;

    private final TiktokenCounter base;
    private final TokenCalibration calibration;
    private final String provider;
    private final double defaultRatio;

    EstimatingCounter(TiktokenCounter base, TokenCalibration calibration, String provider, double defaultRatio) {
        this.base = base;
        this.calibration = calibration;
        this.provider = provider;
        this.defaultRatio = defaultRatio;
    }

    private double factor() {
        return calibration.ratio(provider, defaultRatio).value() * (100 + MARGIN_PERCENT) / 100.0;
    }

    private long scale(long raw) {
        return raw == 0 ? 0 : (long) Math.ceil(raw * factor());
    }

    @Override
    public String method() {
        TokenCalibration.Ratio ratio = calibration.ratio(provider, defaultRatio);
        String source = ratio.samples() == 0 ? "built-in ratio" : "ratio learned from " + ratio.samples()
                + (ratio.samples() == 1 ? " response" : " responses");
        return String.format(Locale.ROOT, "estimate: %s × %.2f (%s) + %d%%", base.encodingName(), ratio.value(),
                source, MARGIN_PERCENT);
    }

    @Override
    public boolean exact() {
        return false;
    }

    @Override
    public long systemTokens(String system) {
        return scale(base.systemTokens(system));
    }

    @Override
    public long messageTokens(ChatMessage message) {
        return scale(base.messageTokens(message));
    }

    @Override
    public long toolTokens(List<ToolDeclaration> tools) {
        return scale(base.toolTokens(tools));
    }

    @Override
    public long replyPriming() {
        return scale(base.replyPriming());
    }

    @Override
    public void observe(ChatRequest sent, Usage reported) {
        if (reported != null) {
            calibration.record(provider, base.count(sent), reported.inputTokens());
        }
    }
}
