package dev.llmo.vault;

import dev.llmo.failure.CredentialsException;
import dev.llmo.failure.VaultLockedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where the vault password comes from when the vault must be unlocked. The command line supplies one that reads
 * {@value #ENV}, then asks on the terminal; the vault package itself never prompts.
 */
@FunctionalInterface
public interface PasswordSource {
    /** The environment variable holding the vault password for scripts and CI. */
    String ENV = "LLMO_VAULT_PASSWORD";

    /**
     * A fresh copy of the password for the vault at {@code vaultFile}; the caller zeroes it after use.
     *
     * @param reason what the vault is opened for, said to whoever is asked, e.g. "llmo needs the key for provider
     *               openai (OPENAI_API_KEY) from the vault"
     * @throws CredentialsException when no password can be had (exit 4), see {@link #unavailable(Path)}
     */
    char[] password(Path vaultFile, String reason);

    /** Reads {@value #ENV} only; an unset or empty variable means no password. */
    static PasswordSource environment(Map<String, String> env) {
        return (vaultFile, reason) -> {
            String value = env.get(ENV);
            if (value == null || value.isEmpty()) {
                throw unavailable(vaultFile);
            }
            return value.toCharArray();
        };
    }

    /**
     * The error for a vault password that cannot be had (no terminal, no {@value #ENV}); a vault that does not exist
     * yet is not called locked: the password would be the new vault's.
     */
    static CredentialsException unavailable(Path vaultFile) {
        if (!Files.exists(vaultFile)) {
            return new CredentialsException("there is no vault at " + vaultFile + " yet, and no terminal to ask for "
                    + "the password of a new one", "run 'llmo vault init' on a terminal, or set " + ENV
                    + " to the password the new vault should have");
        }
        return new VaultLockedException("the vault " + vaultFile + " is locked and there is no terminal to ask for "
                + "its password", "set " + ENV + " to the vault password");
    }
}
