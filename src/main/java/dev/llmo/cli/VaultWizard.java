package dev.llmo.cli;

import dev.llmo.failure.UsageException;
import dev.llmo.vault.PasswordStrength;
import dev.llmo.vault.UnlockedVault;
import dev.llmo.vault.Vault;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code llmo vault init} on a terminal: choose a password (masked, twice, with strength feedback), create the
 * vault, then offer to store a key for each configured provider, one by one. Every key is written as soon as it is
 * entered, so stopping half-way (Ctrl-D) keeps what was stored.
 */
final class VaultWizard {
    /** How many times a new password may be refused (mismatch, empty, weak) before giving up. */
    static final int ATTEMPTS = 3;

    /** A key the configuration uses: its vault entry name and the provider that needs it. */
    record KeySlot(String name, String provider) {
    }

    private final SecretPrompt prompt;
    private final Vault vault;
    private final List<KeySlot> slots;
    private final Map<String, String> env;

    VaultWizard(SecretPrompt prompt, Vault vault, List<KeySlot> slots, Map<String, String> env) {
        this.prompt = prompt;
        this.vault = vault;
        this.slots = List.copyOf(slots);
        this.env = env;
    }

    /** Runs the wizard and returns how many keys it stored. */
    int run() {
        vault.requireAbsent();
        prompt.println("Creating the llmo vault at " + vault.file());
        prompt.println("Your API keys are encrypted with this password (PBKDF2-HMAC-SHA256, AES-256-GCM).");
        prompt.println("Nobody can recover them if it is lost.");
        char[] password = newPassword(prompt);
        int stored = 0;
        try (UnlockedVault open = vault.create(password)) {
            VaultPasswords.wipe(password);
            prompt.println("Created " + vault.file() + ".");
            if (slots.isEmpty()) {
                prompt.println("No configured provider needs an API key. Add keys with 'llmo vault set NAME'.");
                return 0;
            }
            prompt.println("");
            prompt.println("Add API keys for your providers now (typing shows as *; press Enter to skip one):");
            for (KeySlot slot : slots) {
                String note = env.containsKey(slot.name()) ? ", also set in your environment, which wins" : "";
                Optional<char[]> answer = prompt.readSecret("  " + slot.name() + " (" + slot.provider() + note + "): ");
                if (answer.isEmpty()) {
                    prompt.println("  Stopped; the keys entered so far are stored.");
                    break;
                }
                char[] secret = answer.get();
                try {
                    String value = new String(secret).strip();
                    if (value.isEmpty()) {
                        prompt.println("    skipped");
                        continue;
                    }
                    open.put(slot.name(), value);
                    stored++;
                    prompt.println("    stored");
                } finally {
                    VaultPasswords.wipe(secret);
                }
            }
        } finally {
            VaultPasswords.wipe(password);
        }
        prompt.println("Done: " + stored + (stored == 1 ? " key" : " keys") + " stored. Add more with 'llmo vault set "
                + "NAME', list them with 'llmo vault list'.");
        return stored;
    }

    /**
     * Asks for a new password twice, with strength feedback; a weak one must be confirmed. The caller wipes the
     * result.
     *
     * @throws UsageException after {@value #ATTEMPTS} refused attempts, or when input ends (exit 2)
     */
    static char[] newPassword(SecretPrompt prompt) {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            char[] first = prompt.readSecret("New vault password: ").orElseThrow(VaultWizard::noPassword);
            if (first.length == 0) {
                prompt.println("The password cannot be empty.");
                continue;
            }
            PasswordStrength strength = PasswordStrength.of(first);
            prompt.println("  " + strength.describe());
            if (strength.level() == PasswordStrength.Level.WEAK && !prompt.confirm("Use this weak password anyway?")) {
                VaultPasswords.wipe(first);
                continue;
            }
            char[] second = prompt.readSecret("Repeat the password: ").orElseThrow(VaultWizard::noPassword);
            boolean same = Arrays.equals(first, second);
            VaultPasswords.wipe(second);
            if (same) {
                return first;
            }
            VaultPasswords.wipe(first);
            prompt.println("The passwords differ; try again.");
        }
        throw new UsageException("no new vault password chosen after " + ATTEMPTS + " attempts", "run the command again");
    }

    private static UsageException noPassword() {
        return new UsageException("no new vault password entered", "run the command again and type a password");
    }
}
