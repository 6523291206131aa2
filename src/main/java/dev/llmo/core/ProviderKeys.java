package dev.llmo.core;

import dev.llmo.config.ProviderConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The key of a provider: its {@code api_key_name} in the environment, then its {@code api_key_cmd}, then the vault
 * entry of that name; a keyless provider (neither set) needs none. The vault comes last because unlocking it costs
 * a password and a second of key derivation, which a key found elsewhere saves. A missing key is a
 * {@link CredentialsException} naming the exact fix.
 */
public final class ProviderKeys {
    private static final long COMMAND_TIMEOUT_SECONDS = 30;
    private final KeyResolver resolver;
    private final KeyResolver vault;
    // a password manager may prompt or take a second: its answer serves every call of this process
    private final java.util.Map<String, String> commandKeys = new java.util.concurrent.ConcurrentHashMap<>();

    /** Keys from {@code resolver} (and {@code api_key_cmd}) only. */
    public ProviderKeys(KeyResolver resolver) {
        this(resolver, KeyResolver.none());
    }

    public ProviderKeys(KeyResolver resolver, KeyResolver vault) {
        this.resolver = resolver;
        this.vault = vault;
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
                return Optional.of(new ApiKey(name, found.get()));
            }
        }
        if (provider.apiKeyCmd() != null) {
            return Optional.of(new ApiKey(label, commandKeys.computeIfAbsent(provider.apiKeyCmd(),
                    command -> runKeyCommand(provider))));
        }
        Optional<String> stored = vault.find(name);
        if (stored.isPresent()) {
            return Optional.of(new ApiKey(name, stored.get()));
        }
        throw missing(provider);
    }

    /** Whether a key is available without running anything (for listings that skip keyless-less providers). */
    public boolean hasKey(ProviderConfig provider) {
        return provider.apiKeyName() == null && provider.apiKeyCmd() == null || provider.apiKeyCmd() != null
                || resolver.find(provider.apiKeyName()).isPresent() || vault.find(provider.apiKeyName()).isPresent();
    }

    /** The error for a provider whose key is nowhere to be found. */
    public static CredentialsException missing(ProviderConfig provider) {
        String name = provider.apiKeyName();
        return new CredentialsException("no API key for provider '" + provider.name() + "': " + name + " is not set",
                "run 'llmo vault set " + name + "' or 'export " + name + "=…'");
    }

    private static String runKeyCommand(ProviderConfig provider) {
        String what = "api_key_cmd of provider '" + provider.name() + "'";
        String fix = "check that '" + provider.apiKeyCmd() + "' prints the key when run in a shell";
        // The command is the user's own configuration; it runs through sh so that pipes and quoting work as typed.
        // Its stderr goes to ours (a password manager may prompt there); its stdout, the key, is never shown.
        ProcessBuilder builder = new ProcessBuilder("sh", "-c", provider.apiKeyCmd())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .redirectInput(ProcessBuilder.Redirect.INHERIT);
        try {
            Process process = builder.start();
            byte[] out;
            try (InputStream stdout = process.getInputStream()) {
                out = stdout.readNBytes(64 * 1024);
            }
            if (!process.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new CredentialsException(what + " did not finish within " + COMMAND_TIMEOUT_SECONDS + " s", fix);
            }
            if (process.exitValue() != 0) {
                throw new CredentialsException(what + " failed with exit code " + process.exitValue(), fix);
            }
            String key = new String(out, StandardCharsets.UTF_8).strip();
            if (key.isEmpty() || key.contains("\n")) {
                throw new CredentialsException(what + " printed " + (key.isEmpty() ? "nothing" : "several lines"),
                        fix + " (one line, the key alone)");
            }
            return key;
        } catch (IOException e) {
            throw new CredentialsException(what + " could not be run: " + e.getMessage(), fix, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedRunException("interrupted", null, e);
        }
    }
}
