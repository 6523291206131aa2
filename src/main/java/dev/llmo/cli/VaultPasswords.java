package dev.llmo.cli;

import dev.llmo.failure.CredentialsException;
import dev.llmo.vault.PasswordSource;
import dev.llmo.vault.Vault;
import dev.llmo.vault.VaultKeys;
import dev.llmo.vault.VaultSession;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * The command line's vault password: {@value PasswordSource#ENV} when set, else a masked prompt when stdin is a
 * terminal, else exit 4 naming the variable (design.md "Keys").
 */
final class VaultPasswords implements PasswordSource {
    private final CliEnvironment environment;
    private final Supplier<SecretPrompt> prompt;

    /**
     * @param prompt the terminal prompt, asked for only when stdin is a terminal and the variable is not set; the
     *               caller owns (and closes) it
     */
    VaultPasswords(CliEnvironment environment, Supplier<SecretPrompt> prompt) {
        this.environment = environment;
        this.prompt = prompt;
    }

    /**
     * The vault lookup for key resolution in this invocation. Build it once per process and share it: the vault
     * is then unlocked, and its password asked for, at most once. The terminal is opened only to ask, and closed
     * right after.
     */
    static VaultKeys vaultKeys(CliContext context) {
        CliEnvironment environment = context.environment();
        Vault vault = Vault.withIterations(context.dirs().vaultFile(), environment.vaultIterations());
        return new VaultKeys(vault, new PasswordSource() { // not a lambda: start-up path (ADR-003, "Eighteenth round")
            @Override
            public char[] password(Path file, String reason) {
                SecretPrompt[] opened = new SecretPrompt[1];
                try {
                    return new VaultPasswords(environment, () -> opened[0] = context.question()).password(file, reason);
                } finally {
                    if (opened[0] != null) {
                        opened[0].close();
                    }
                }
            }
        }, VaultSession.fromEnvironment(environment.env()));
    }

    /** Whether {@value PasswordSource#ENV} is set to a non-empty value. */
    boolean inEnvironment() {
        String value = environment.env().get(ENV);
        return value != null && !value.isEmpty();
    }

    @Override
    public char[] password(Path vaultFile, String reason) {
        if (inEnvironment()) {
            return environment.env().get(ENV).toCharArray();
        }
        if (!environment.stdinIsTerminal()) {
            throw PasswordSource.unavailable(vaultFile);
        }
        char[] password = prompt.get().readSecret(reason + ": password: ")
                .orElseThrow(() -> PasswordSource.unavailable(vaultFile));
        if (password.length == 0) {
            throw new CredentialsException("no vault password entered",
                    "type the password of " + vaultFile + ", or set " + ENV);
        }
        return password;
    }

    static void wipe(char[] secret) {
        if (secret != null) {
            Arrays.fill(secret, '\0');
        }
    }
}
