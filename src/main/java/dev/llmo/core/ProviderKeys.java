package dev.llmo.core;

import dev.llmo.config.ProviderConfig;
import dev.llmo.failure.CredentialsException;
import dev.llmo.failure.VaultLockedException;
import dev.llmo.secret.ApiKey;
import dev.llmo.config.ModelRef;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The key of a provider: its {@code api_key_name} in the environment, then its {@code api_key_cmd}, then the vault
 * entry of that name; a keyless provider (neither set) needs none. The vault comes last because unlocking it costs
 * a password and a second of key derivation, which a key found elsewhere saves. A missing key is a
 * {@link CredentialsException} naming the exact fix.
 */
public final class ProviderKeys {
    /** How long an {@code api_key_cmd} may run before it and every process it started are killed. */
    public static final java.time.Duration DEFAULT_COMMAND_TIMEOUT = KeyCommand.DEFAULT_TIMEOUT;
    private final KeyResolver resolver;
    private final KeyResolver vault;
    private final KeyCommand keyCommand;
    // a password manager may prompt or take a second: its answer serves every call of this process
    private final java.util.Map<String, String> commandKeys = new java.util.concurrent.ConcurrentHashMap<>();

    /** Keys from {@code resolver} (and {@code api_key_cmd}) only. */
    public ProviderKeys(KeyResolver resolver) {
        this(resolver, KeyResolver.none());
    }

    /** {@code api_key_cmd} runs with this process's environment, without the vault password, for up to 30 s. */
    public ProviderKeys(KeyResolver resolver, KeyResolver vault) {
        this(resolver, vault, ChildEnvironment.inherited(), KeyCommand.DEFAULT_TIMEOUT);
    }

    /**
     * @param childEnvironment what an {@code api_key_cmd} starts with (the invocation's environment minus secrets)
     * @param commandTimeout   how long an {@code api_key_cmd} may run before it and its children are killed
     */
    public ProviderKeys(KeyResolver resolver, KeyResolver vault, ChildEnvironment childEnvironment,
                        java.time.Duration commandTimeout) {
        this.resolver = resolver;
        this.vault = vault;
        this.keyCommand = new KeyCommand(childEnvironment, commandTimeout);
    }

    /** The key to send, or empty for a keyless provider. */
    public Optional<ApiKey> keyFor(ProviderConfig provider) {
        String name = provider.apiKeyName();
        if (name == null && provider.apiKeyCmd() == null) {
            return Optional.empty();
        }
        String label = name != null ? name : "api_key_cmd of provider '" + provider.name() + "'";
        if (name != null) {
            Optional<String> found = resolver.find(name);
            if (found.isPresent()) {
                return Optional.of(sendable(name, name, found.get(), "export " + name + "=… again without it"));
            }
        }
        if (provider.apiKeyCmd() != null) {
            String key = commandKeys.computeIfAbsent(provider.apiKeyCmd(), command -> keyCommand.run(provider));
            return Optional.of(sendable(label, "the key printed by " + label, key,
                    "make '" + provider.apiKeyCmd() + "' print the key alone"));
        }
        Optional<String> stored = fromVault(provider);
        if (stored.isPresent()) {
            return Optional.of(sendable(name, "the vault entry " + name, stored.get(),
                    "store it again without it: llmo vault set " + name));
        }
        throw missing(provider);
    }

    /**
     * The key, checked where it is found: a character no HTTP header can carry would otherwise fail deep in OkHttp,
     * whose message quotes the whole header value. The failure is this call's alone (exit 4) and names where the key
     * came from, never the key.
     */
    private static ApiKey sendable(String name, String source, String value, String fix) {
        String problem = ApiKey.headerProblem(value);
        if (problem != null) {
            throw new CredentialsException(source + " has a character an HTTP header cannot carry (" + problem + ")",
                    fix);
        }
        return new ApiKey(name, value);
    }

    /**
     * Whether a key is available without running anything (for listings that skip keyless-less providers).
     *
     * @throws CredentialsException only the vault could hold the key and it cannot be unlocked (exit 4)
     */
    public boolean hasKey(ProviderConfig provider) {
        return provider.apiKeyName() == null && provider.apiKeyCmd() == null || provider.apiKeyCmd() != null
                || resolver.find(provider.apiKeyName()).isPresent() || fromVault(provider).isPresent();
    }

    /** {@link #hasKey}, with a key only a locked vault could hold counted as none. */
    private boolean hasKeyHere(ProviderConfig provider) {
        try {
            return hasKey(provider);
        } catch (VaultLockedException e) {
            return false;
        }
    }

    /**
     * The provider's key from the vault. A vault that cannot be unlocked for want of a password is reported as the
     * key's absence with both ways out, the key itself or the password: the user may have meant to give the key.
     */
    private Optional<String> fromVault(ProviderConfig provider) {
        try {
            return vault.find(provider.apiKeyName());
        } catch (VaultLockedException e) {
            String name = provider.apiKeyName();
            throw new VaultLockedException("no API key for provider '" + provider.name() + "': " + name
                    + " is not set, and " + e.getMessage(), "export " + name + "=…, or " + e.fix());
        }
    }

    /**
     * Checks, before anything is sent, that the default model (the one used because none was named) has a key. When
     * it has none but other providers do, the error names their models, so that a new user whose only key is for
     * another provider sees what to type instead of only what is missing.
     *
     * @param providers every configured provider, in catalog order
     * @param choose    what picks a model where the error is read, before the model's id: {@code "-m "} on a command
     *                  line, {@code "/model "} in a chat
     * @throws CredentialsException the default model's provider has no key (exit 4)
     */
    public void requireKeyOfDefault(ModelRef model, Collection<ProviderConfig> providers, String choose) {
        ProviderConfig provider = model.provider();
        VaultLockedException locked = null;
        try {
            if (hasKey(provider)) {
                return;
            }
        } catch (VaultLockedException e) {
            locked = e; // the key may be in the vault; models whose keys are at hand are named all the same
        }
        // keyless providers (a local server) are left out: needing no key says nothing about whether they run
        List<String> usable = providers.stream()
                .filter(other -> !other.name().equals(provider.name()) && other.defaultModel() != null
                        && (other.apiKeyName() != null || other.apiKeyCmd() != null) && hasKeyHere(other))
                .map(other -> other.name() + "/" + other.defaultModel()).toList();
        if (usable.isEmpty()) {
            throw locked != null ? locked : missing(provider);
        }
        String name = provider.apiKeyName();
        String subject = "no API key for provider '" + provider.name() + "'";
        String why = locked == null ? subject + ": " + name + " is not set" : locked.getMessage();
        if (why.startsWith(subject)) {
            why = subject + " of the default model " + model.id() + why.substring(subject.length());
        }
        throw new CredentialsException(why, "models with a key: " + choose + String.join(", " + choose, usable)
                + " (or make one the default: export LLMO_MODEL=" + usable.get(0) + "); or "
                + (locked == null ? "run 'llmo vault set " + name + "'" : locked.fix()));
    }

    /** The error for a provider whose key is nowhere to be found. */
    public static CredentialsException missing(ProviderConfig provider) {
        String name = provider.apiKeyName();
        return new CredentialsException("no API key for provider '" + provider.name() + "': " + name + " is not set",
                "run 'llmo vault set " + name + "' or 'export " + name + "=…'");
    }

}
