package dev.llmo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmo.failure.UsageException;
import dev.llmo.vault.UnlockedVault;
import dev.llmo.vault.Vault;
import dev.llmo.vault.VaultEntry;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The init wizard, driven keystroke by keystroke through a jline terminal on in-memory streams. */
class VaultWizardTest {
    private static final List<VaultWizard.KeySlot> SLOTS = List.of(new VaultWizard.KeySlot("OPENAI_API_KEY", "openai"),
            new VaultWizard.KeySlot("ANTHROPIC_API_KEY", "anthropic"), new VaultWizard.KeySlot("GEMINI_API_KEY", "gemini"));

    @TempDir
    Path dir;

    @Test
    void choosesAPasswordThenStoresTheKeysTypedAndSkipsTheEmptyOnes() {
        Vault vault = new Vault(dir.resolve("vault.enc"));
        VaultTerminals terminal = VaultTerminals.typing(
                "correct horse battery staple\r" + "correct horse battery staple\r"
                        + "sk-openai-1\r" + "\r" + "  g-gemini-1  \r");

        int stored;
        try (SecretPrompt prompt = terminal.prompt()) {
            stored = new VaultWizard(prompt, vault, SLOTS, Map.of("GEMINI_API_KEY", "x")).run();
        }

        assertThat(stored).isEqualTo(2);
        String shown = terminal.shown();
        assertThat(shown).contains("Creating the llmo vault at " + vault.file(), "strength: strong",
                        "OPENAI_API_KEY (openai): ", "ANTHROPIC_API_KEY (anthropic): ",
                        "GEMINI_API_KEY (gemini, also set in your environment, which wins): ", "skipped",
                        "Done: 2 keys stored.")
                .doesNotContain("correct horse", "sk-openai-1", "g-gemini-1");
        try (UnlockedVault open = vault.unlock("correct horse battery staple".toCharArray())) {
            assertThat(open.entries()).extracting(VaultEntry::name).containsExactly("GEMINI_API_KEY", "OPENAI_API_KEY");
            assertThat(open.secret("GEMINI_API_KEY")).contains("g-gemini-1");
            assertThat(open.iterations()).isEqualTo(Vault.DEFAULT_ITERATIONS);
        }
    }

    @Test
    void mismatchesAndRefusedWeakPasswordsRunOutAfterThreeAttemptsAndCreateNothing() {
        Vault vault = Vault.withIterations(dir.resolve("vault.enc"), CliRun.FAST_VAULT);
        VaultTerminals terminal = VaultTerminals.typing(
                "long enough passphrase one\r" + "long enough passphrase two\r"   // differ
                        + "abc\r" + "n\r"                                             // weak, refused
                        + "\r");                                                      // empty
        try (SecretPrompt prompt = terminal.prompt()) {
            VaultWizard wizard = new VaultWizard(prompt, vault, SLOTS, Map.of());
            assertThatThrownBy(wizard::run).isInstanceOf(UsageException.class)
                    .hasMessage("no new vault password chosen after 3 attempts");
        }
        assertThat(terminal.shown()).contains("The passwords differ; try again.", "strength: weak",
                "Use this weak password anyway? [y/N]", "The password cannot be empty.");
        assertThat(vault.exists()).isFalse();
    }

    @Test
    void aWeakPasswordCanBeKeptOnPurposeAndCtrlDStopsTheKeyQuestions() {
        Vault vault = Vault.withIterations(dir.resolve("vault.enc"), CliRun.FAST_VAULT);
        VaultTerminals terminal = VaultTerminals.typing("abc\r" + "y\r" + "abc\r" + "sk-1\r" + "\u0004");
        try (SecretPrompt prompt = terminal.prompt()) {
            assertThat(new VaultWizard(prompt, vault, SLOTS, Map.of()).run()).isEqualTo(1);
        }
        assertThat(terminal.shown()).contains("Stopped; the keys entered so far are stored.")
                .doesNotContain("GEMINI_API_KEY");
        try (UnlockedVault open = vault.unlock("abc".toCharArray())) {
            assertThat(open.secret("OPENAI_API_KEY")).contains("sk-1");
        }
    }

    @Test
    void anExistingVaultIsRefusedBeforeAnyQuestion() {
        Vault vault = Vault.withIterations(dir.resolve("vault.enc"), CliRun.FAST_VAULT);
        vault.create("pw-pw-pw-pw".toCharArray()).close();
        VaultTerminals terminal = VaultTerminals.typing("x\rx\r");
        try (SecretPrompt prompt = terminal.prompt()) {
            VaultWizard wizard = new VaultWizard(prompt, vault, SLOTS, Map.of());
            assertThatThrownBy(wizard::run).isInstanceOf(UsageException.class)
                    .hasMessage("a vault already exists at " + vault.file());
        }
        assertThat(terminal.shown()).isEmpty();
    }
}
