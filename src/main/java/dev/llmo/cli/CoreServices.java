package dev.llmo.cli;

import dev.llmo.core.NanoClock;
import dev.llmo.failure.ConfigException;
import dev.llmo.core.KeyResolver;
import dev.llmo.core.CallExecutor;
import dev.llmo.config.Settings;
import dev.llmo.context.ContextBudget;
import dev.llmo.context.TokenCounters;
import dev.llmo.core.FittedAndBudgeted;
import dev.llmo.core.ProviderKeys;
import dev.llmo.cost.CostGuard;
import java.time.Clock;
import dev.llmo.vault.VaultKeys;
import dev.llmo.core.RemoteModels;
import dev.llmo.core.ProviderClients;
import dev.llmo.provider.http.HttpSettings;
import dev.llmo.provider.http.Transport;
import java.time.Duration;
import java.util.Map;

/**
 * Builds the core services of one invocation from its environment: where keys come from, the HTTP timeouts and
 * retry budget ({@code LLMO_CONNECT_TIMEOUT}, {@code LLMO_READ_TIMEOUT} in seconds, {@code LLMO_MAX_RETRIES}).
 */
final class CoreServices {
    private CoreServices() {
    }

    /** The executor of one invocation, with the configured budgets. */
    static CallExecutor executor(CliContext context) {
        return executor(context, null);
    }

    /**
     * The executor of one invocation: every call fitted into its model's window and checked against
     * {@code --max-cost} (null: none, so budget.per_run_usd applies) and the daily budget.
     */
    static CallExecutor executor(CliContext context, java.math.BigDecimal maxCostUsd) {
        return executor(context, maxCostUsd, null);
    }

    /**
     * @param timeoutSeconds {@code --timeout}: the deadline of each model call in seconds, 0 for none, null for the
     *                       default ({@link HttpSettings#DEFAULT_CALL_TIMEOUT})
     */
    static CallExecutor executor(CliContext context, java.math.BigDecimal maxCostUsd, Double timeoutSeconds) {
        return executor(context, maxCostUsd, timeoutSeconds, null);
    }

    /**
     * @param unstored attachments' bytes by SHA-256 that are not in the content store (a {@code --no-log} run
     *                 writes none), read before the store; null for none
     */
    static CallExecutor executor(CliContext context, java.math.BigDecimal maxCostUsd, Double timeoutSeconds,
                                 Map<String, byte[]> unstored) {
        Duration callTimeout = callTimeout(timeoutSeconds);
        Settings settings = context.settings();
        // "today" is the local day, which only a daily budget asks for: without one, the zone's rules (the JDK's
        // tzdb.dat, read and parsed) are not loaded (ADR-003, "Sixth round (issue 15)")
        Clock clock = settings.budget().dailyUsd() != null ? Clock.systemDefaultZone() : Clock.systemUTC();
        CostGuard guard = CostGuard.forRun(settings.budget(), maxCostUsd, context.dirs().spendLogDirs(),
                context.dirs().dataDir().resolve("reservations.jsonl"), clock);
        return new CallExecutor(keys(context), new ProviderClients(Transport.shared(
                httpSettings(context.environment().env()).withCallTimeout(callTimeout)), contents(context, unstored)),
                NanoClock.SYSTEM,
                new FittedAndBudgeted(TokenCounters.create(contents(context, unstored)), guard, ContextBudget.NONE));
    }

    /**
     * The budgets a run would be checked against, for {@code --dry-run}: today's spend is read from the logs as a run
     * reads it, and nothing is written (no hold in the shared reservations, which a run's calls take).
     */
    static CostGuard dryRunGuard(CliContext context, java.math.BigDecimal maxCostUsd) {
        Settings settings = context.settings();
        Clock clock = settings.budget().dailyUsd() != null ? Clock.systemDefaultZone() : Clock.systemUTC();
        return new CostGuard(settings.budget(), maxCostUsd,
                dev.llmo.cost.DailySpend.tally(context.dirs().spendLogDirs(), clock));
    }

    /**
     * Starts the TLS set-up of the HTTP client when one of {@code models} is served over {@code https}, so that it
     * overlaps the work done before the first request instead of delaying it (about a quarter second).
     */
    static void prepareConnections(java.util.Collection<dev.llmo.config.ModelRef> models) {
        for (dev.llmo.config.ModelRef model : models) {
            if (model.provider().baseUrl() != null
                    && model.provider().baseUrl().regionMatches(true, 0, "https:", 0, 6)) {
                dev.llmo.provider.http.SharedHttpClient.prepareInBackground();
                return;
            }
        }
    }

    /** The content store of this invocation's data directory: attachments' and fragments' bytes, by SHA-256. */
    static dev.llmo.io.ContentStore contentStore(CliContext context) {
        return dev.llmo.io.ContentStore.beside(context.dirs().conversationsDir());
    }

    /** The content store, with {@code unstored} (when not null) in front of it. */
    private static dev.llmo.message.ContentSource contents(CliContext context, Map<String, byte[]> unstored) {
        dev.llmo.io.ContentStore store = contentStore(context);
        return unstored == null ? store : sha256 -> unstored.containsKey(sha256) ? unstored.get(sha256)
                : store.bytes(sha256);
    }

    /** {@code --timeout SECONDS}: null for the default, 0 for none. */
    static Duration callTimeout(Double seconds) {
        if (seconds == null) {
            return HttpSettings.DEFAULT_CALL_TIMEOUT;
        }
        if (seconds.isNaN() || seconds < 0 || seconds > 31_536_000) {
            throw new dev.llmo.failure.UsageException("--timeout must be a number of seconds from 0 (no limit) to "
                    + "31536000, not " + (seconds.isNaN() ? "NaN"
                    : java.math.BigDecimal.valueOf(seconds).stripTrailingZeros().toPlainString()), "e.g. --timeout 120");
        }
        return seconds == 0 ? Duration.ZERO : Duration.ofMillis(Math.max(1, (long) (seconds * 1000)));
    }

    /**
     * Refuses, before anything is sent or logged, a default model (none was named) whose provider has no key,
     * naming the models that have one, each after {@code choose} ({@code "-m "}, or {@code "/model "} in a chat) (exit 4).
     */
    static void requireKeyOfDefault(CliContext context, dev.llmo.config.ModelRef model, String choose) {
        keys(context).requireKeyOfDefault(model, context.settings().catalog().providers(), choose);
    }

    /**
     * Refuses, before anything is sent or recorded, models whose provider has no key (exit 4): a batch would otherwise
     * record every one of its rows as a failed call.
     */
    static void requireKeys(CliContext context, java.util.Collection<dev.llmo.config.ModelRef> models) {
        requireKeys(context, models, model -> null);
    }

    /**
     * {@link #requireKeys(CliContext, java.util.Collection)}, the error saying who uses the keyless model.
     *
     * @param user who uses a model, e.g. "chain 'x', step 'a'", or null to name no one
     */
    static void requireKeys(CliContext context, java.util.Collection<dev.llmo.config.ModelRef> models,
                            java.util.function.Function<dev.llmo.config.ModelRef, String> user) {
        ProviderKeys keys = keys(context);
        Map<String, Boolean> keyed = new java.util.HashMap<>(); // one look-up per provider (the vault may be asked)
        models.stream().filter(model -> !keyed.computeIfAbsent(model.provider().name(),
                        name -> keys.hasKey(model.provider()))).findFirst().ifPresent(model -> {
                    dev.llmo.failure.CredentialsException missing = ProviderKeys.missing(model.provider());
                    String by = user.apply(model);
                    throw by == null ? missing : new dev.llmo.failure.CredentialsException(by + " uses " + model.id()
                            + ", but there is " + missing.getMessage() + "; nothing was sent", missing.fix());
                });
    }

    /** The providers' batch services, with the keys and HTTP settings of live calls. */
    static dev.llmo.core.RemoteBatches remoteBatches(CliContext context) {
        return new dev.llmo.core.RemoteBatches(keys(context), clients(context));
    }

    static RemoteModels remoteModels(CliContext context) {
        return new RemoteModels(keys(context), clients(context));
    }

    /** Environment variables; the vault is asked after them and after api_key_cmd (see ProviderKeys). */
    static KeyResolver keyResolver(CliContext context) {
        return KeyResolver.environment(context.environment().env());
    }

    /**
     * The keys of one invocation. Every command that resolves a key or sends a request comes through here, so
     * this is the one place where an untrusted project configuration stops llmo (exit 3) before anything is sent.
     */
    private static ProviderKeys keys(CliContext context) {
        context.settings().requireTrusted();
        VaultKeys vault = context.vaultKeys(); // one per invocation; its key is wiped when it ends
        // an api_key_cmd sees neither the vault password nor any provider's key variable
        // (loops and a class, not streams and lambdas: every call comes here; ADR-003, "Seventh round")
        java.util.List<String> keyNames = new java.util.ArrayList<>();
        // the password prompt says which key is needed and for which providers
        java.util.Map<String, java.util.List<String>> providersOfKey = new java.util.TreeMap<>();
        for (dev.llmo.config.ProviderConfig provider : context.settings().catalog().providers()) {
            if (provider.apiKeyName() != null) {
                keyNames.add(provider.apiKeyName());
                providersOfKey.computeIfAbsent(provider.apiKeyName(), k -> new java.util.ArrayList<>())
                        .add(provider.name());
            }
        }
        return new ProviderKeys(keyResolver(context), new VaultKeyPrompt(vault, providersOfKey, context),
                dev.llmo.core.ChildEnvironment.of(context.environment().env(), keyNames),
                ProviderKeys.DEFAULT_COMMAND_TIMEOUT);
    }

    /** Keys from the vault, whose password prompt names the key and the providers that use it. */
    private static final class VaultKeyPrompt implements KeyResolver {
        private final VaultKeys vault;
        private final Map<String, java.util.List<String>> providersOfKey;
        private final CliContext context;

        VaultKeyPrompt(VaultKeys vault, Map<String, java.util.List<String>> providersOfKey, CliContext context) {
            this.vault = vault;
            this.providersOfKey = providersOfKey;
            this.context = context;
        }

        @Override
        public java.util.Optional<String> find(String name) {
            java.util.List<String> providers = providersOfKey.getOrDefault(name, java.util.List.of());
            // the vault's password may be asked for: not under the waiting spinner's line
            return context.asking(() -> vault.secret(name, "llmo needs the key for provider"
                    + (providers.size() == 1 ? " " : "s ") + context.stderrText(String.join(", ", providers)) + " ("
                    + name + ") from the vault"));
        }
    }

    private static ProviderClients clients(CliContext context) {
        return new ProviderClients(Transport.shared(httpSettings(context.environment().env())));
    }

    static HttpSettings httpSettings(Map<String, String> env) {
        HttpSettings defaults = HttpSettings.DEFAULT;
        return new HttpSettings(
                seconds(env, "LLMO_CONNECT_TIMEOUT", defaults.connectTimeout()),
                seconds(env, "LLMO_READ_TIMEOUT", defaults.readTimeout()),
                (int) count(env, "LLMO_MAX_RETRIES", defaults.maxRetries()));
    }

    private static Duration seconds(Map<String, String> env, String name, Duration fallback) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            double seconds = Double.parseDouble(value.strip());
            if (seconds > 0 && seconds <= 86_400) {
                return Duration.ofMillis(Math.max(1, (long) (seconds * 1000)));
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ConfigException(name + " must be a number of seconds between 0 and 86400, not '" + value + "'",
                "e.g. export " + name + "=30, or unset it for the default (" + fallback.toSeconds() + ")");
    }

    private static long count(Map<String, String> env, String name, long fallback) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            long count = Long.parseLong(value.strip());
            if (count >= 0 && count <= 10) {
                return count;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ConfigException(name + " must be a whole number from 0 to 10, not '" + value + "'",
                "e.g. export " + name + "=2, or unset it for the default (" + fallback + ")");
    }
}
