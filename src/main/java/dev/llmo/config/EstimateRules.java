package dev.llmo.config;

import dev.llmo.config.ConfigNode.ListNode;
import dev.llmo.config.ConfigNode.MapNode;
import dev.llmo.config.ConfigNode.ScalarNode;
import dev.llmo.failure.LlmoException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What an untrusted project may not change about the models of a provider that has a key: what the budgets'
 * worst case of a request is made of (CostGuard prices every input token and the answer at
 * {@code max_output_tokens}, else at the context window left after the input). A lower or removed price, a price
 * the trusted layers do not set, or a lower bound on the answer would let a run pass {@code --max-cost} or the
 * daily budget, or leave its cost out of what the day counts.
 *
 * <p>A model without a price stays allowed: its price is unknown, so any budget refuses it (exit 5) rather than
 * guessing. Keyless providers (a local server) are not billed to the user's keys and may set anything.
 */
final class EstimateRules {
    private EstimateRules() {
    }

    static List<TrustViolation> check(ModelCatalog catalog, MapNode trustedModels, MapNode projectModels) {
        List<TrustViolation> violations = new ArrayList<>();
        if (projectModels == null) {
            return violations;
        }
        for (ProviderConfig provider : catalog.providers()) {
            if (projectModels.get(provider.name()) instanceof MapNode project && keyed(provider)
                    && project.entries().containsKey("batch_discount")) {
                batchDiscount(provider, trustedDiscount(provider.name(), trustedModels), project, violations);
            }
            if (projectModels.get(provider.name()) instanceof MapNode project && project.entries().containsKey("models")
                    && keyed(provider)) {
                provider(provider, trustedSpecs(provider.name(), trustedModels), project, violations);
            }
        }
        return violations;
    }

    private static void provider(ProviderConfig provider, Map<String, ModelSpec> trusted, MapNode project,
                                 List<TrustViolation> violations) {
        Map<String, MapNode> written = new LinkedHashMap<>();
        if (project.get("models") instanceof ListNode list) {
            for (ConfigNode item : list.items()) {
                if (item instanceof MapNode map && map.get("name") instanceof ScalarNode name) {
                    written.putIfAbsent(name.text(), map);
                }
            }
        }
        for (ModelSpec before : trusted.values()) {
            Optional<ModelSpec> now = provider.model(before.name());
            String what = "model '" + provider.name() + "/" + before.name() + "'";
            if (before.pricing() != null && now.isEmpty()) {
                violations.add(new TrustViolation(project.keyOrigin("models"), "models of provider '"
                        + provider.name() + "' without '" + before.name() + "', dropping its trusted price of "
                        + prices(before.pricing()) + " per million tokens (its cost would be unknown)"));
            } else if (before.pricing() != null && now.get().pricing() == null) {
                violations.add(new TrustViolation(now.get().origin(), what + " without its trusted price of "
                        + prices(before.pricing()) + " per million tokens (its cost would be unknown)"));
            } else if (before.pricing() != null && lower(now.get().pricing(), before.pricing())) {
                violations.add(new TrustViolation(origin(now.get(), written, "pricing"), "pricing of " + what
                        + " to " + prices(now.get().pricing()) + ", below the trusted " + prices(before.pricing())
                        + " per million tokens"));
            }
            if (now.isPresent() && now.get().pricing() != null) {
                outputBound(what, before, now.get(), written, violations);
            }
        }
        for (ModelSpec now : provider.models()) {
            ModelSpec before = trusted.get(now.name());
            if (now.pricing() != null && (before == null || before.pricing() == null)) {
                violations.add(new TrustViolation(origin(now, written, "pricing"), "pricing of model '"
                        + provider.name() + "/" + now.name() + "', which the trusted layers do not price"));
            }
        }
    }

    /**
     * The answer's bound may not drop below the trusted one for any input: {@code max_output_tokens} where set,
     * else the context window minus the input; unknown counts as highest (the budget refuses it).
     */
    private static void outputBound(String what, ModelSpec before, ModelSpec now, Map<String, MapNode> written,
                                    List<TrustViolation> violations) {
        Long max = now.maxOutputTokens();
        Long window = now.contextWindow();
        if (before.maxOutputTokens() == null && before.contextWindow() == null) {
            if (max != null || window != null) {
                String key = max != null ? "max_output_tokens" : "context_window";
                violations.add(new TrustViolation(origin(now, written, key), key + " of " + what + ", which the "
                        + "trusted layers leave unknown (the budgets would count the answer at it)"));
            }
        } else if (before.maxOutputTokens() != null) {
            long trusted = before.maxOutputTokens();
            if (max != null && max < trusted) {
                violations.add(new TrustViolation(origin(now, written, "max_output_tokens"), "max_output_tokens of "
                        + what + " to " + max + ", below the trusted " + trusted + " (the budgets count the answer "
                        + "at it)"));
            } else if (max == null && window != null) {
                violations.add(new TrustViolation(origin(now, written, "context_window"), what + " without its "
                        + "trusted max_output_tokens of " + trusted + ", so the budgets would count the answer at "
                        + "context_window " + window + " minus the input"));
            }
        } else {
            long trusted = before.contextWindow();
            if (max != null && max < trusted) {
                violations.add(new TrustViolation(origin(now, written, "max_output_tokens"), "max_output_tokens of "
                        + what + " to " + max + ", which the trusted layers leave at the context window of "
                        + trusted + " (the budgets count the answer at it)"));
            } else if (max == null && window != null && window < trusted) {
                violations.add(new TrustViolation(origin(now, written, "context_window"), "context_window of "
                        + what + " to " + window + ", below the trusted " + trusted + " (the budgets count the "
                        + "answer at the window left after the input)"));
            }
        }
    }

    /** A project's provider-wide {@code batch_discount} may not take more off than the trusted layers' does. */
    private static void batchDiscount(ProviderConfig provider, BigDecimal trusted, MapNode project,
                                      List<TrustViolation> violations) {
        BigDecimal now;
        try {
            now = SettingsBinder.batchDiscount(project, "provider '" + provider.name() + "'");
        } catch (LlmoException e) {
            return; // reported by the binder
        }
        BigDecimal before = trusted == null ? BigDecimal.ZERO : trusted;
        if (now != null && now.compareTo(before) > 0) {
            violations.add(new TrustViolation(project.get("batch_discount").origin(), "batch_discount of provider '"
                    + provider.name() + "' to " + now.toPlainString() + ", above the trusted "
                    + before.toPlainString() + " (batch requests would be priced below what the trusted layers say)"));
        }
    }

    /** The trusted layers' {@code batch_discount} of a provider; null when they set none or a malformed one. */
    private static BigDecimal trustedDiscount(String provider, MapNode trustedModels) {
        if (trustedModels.get(provider) instanceof MapNode map) {
            try {
                return SettingsBinder.batchDiscount(map, "provider '" + provider + "'");
            } catch (LlmoException e) {
                return null;
            }
        }
        return null;
    }

    /** The trusted layers' models of a provider, by name; a malformed entry has no price to protect. */
    private static Map<String, ModelSpec> trustedSpecs(String provider, MapNode trustedModels) {
        Map<String, ModelSpec> specs = new LinkedHashMap<>();
        BigDecimal discount = trustedDiscount(provider, trustedModels);
        if (trustedModels.get(provider) instanceof MapNode map && map.get("models") instanceof ListNode list) {
            for (ConfigNode item : list.items()) {
                try {
                    ModelSpec spec = SettingsBinder.model(provider, item, null, discount);
                    specs.putIfAbsent(spec.name(), spec);
                } catch (LlmoException e) {
                    // reported by the binder when the merged configuration still holds it
                }
            }
        }
        return specs;
    }

    private static boolean keyed(ProviderConfig provider) {
        return provider.apiKeyName() != null && !provider.apiKeyName().isBlank()
                || provider.apiKeyCmd() != null && !provider.apiKeyCmd().isBlank();
    }

    /**
     * Whether any kind of token costs less, live or through the provider's batch service: a cached price counts as the
     * input price where it is not set, a batch price as the live price.
     */
    private static boolean lower(Pricing now, Pricing trusted) {
        return lowerRates(now, trusted) || lowerRates(now.batchRate(), trusted.batchRate());
    }

    private static boolean lowerRates(Pricing now, Pricing trusted) {
        return now.inputPerMtok().compareTo(trusted.inputPerMtok()) < 0
                || now.outputPerMtok().compareTo(trusted.outputPerMtok()) < 0
                || now.cacheReadRate().compareTo(trusted.cacheReadRate()) < 0
                || now.cacheWriteRate().compareTo(trusted.cacheWriteRate()) < 0;
    }

    private static String prices(Pricing pricing) {
        return rates(pricing) + (pricing.batch() == null ? "" : " (batch " + rates(new Pricing(
                shortest(pricing.batch().inputPerMtok()), shortest(pricing.batch().outputPerMtok()),
                shortest(pricing.batch().cachedInputPerMtok()), shortest(pricing.batch().cacheWritePerMtok())))
                + ")");
    }

    /** A discounted price without the zeros its multiplication added (0.5 × 2 is 1, not 1.0). */
    private static BigDecimal shortest(BigDecimal amount) {
        return amount == null ? null : amount.stripTrailingZeros();
    }

    private static String rates(Pricing pricing) {
        return "$" + plain(pricing.inputPerMtok()) + " in / $" + plain(pricing.outputPerMtok()) + " out"
                + (pricing.cachedInputPerMtok() == null ? "" : " / $" + plain(pricing.cachedInputPerMtok())
                + " cached in") + (pricing.cacheWritePerMtok() == null ? ""
                : " / $" + plain(pricing.cacheWritePerMtok()) + " cache write");
    }

    private static String plain(BigDecimal amount) {
        return amount.toPlainString();
    }

    /** Where the project writes {@code key} of the model, or the model's entry. */
    private static Origin origin(ModelSpec spec, Map<String, MapNode> written, String key) {
        MapNode item = written.get(spec.name());
        return item != null && item.entries().containsKey(key) ? item.keyOrigin(key) : spec.origin();
    }
}
