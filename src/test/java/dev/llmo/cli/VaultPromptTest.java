package dev.llmo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmo.failure.InterruptedRunException;
import dev.llmo.failure.UsageException;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The masked prompt on jline test terminals, and the first line of a piped stdin. */
class VaultPromptTest {
    @ParameterizedTest
    @ValueSource(strings = {"dumb", "xterm"})
    void aSecretIsReadMaskedAndNeverShown(String type) {
        VaultTerminals terminal = type.equals("dumb") ? VaultTerminals.typing("s3cr3t-ünï\r")
                : VaultTerminals.xterm("s3cr3t-ünï\r");
        try (SecretPrompt prompt = terminal.prompt()) {
            char[] secret = prompt.readSecret("Password: ").orElseThrow();

            assertThat(new String(secret)).isEqualTo("s3cr3t-ünï");
            assertThat(terminal.shown()).startsWith("Password: **********").doesNotContain("s3cr3t");
        }
    }

    @Test
    void backspaceAndCtrlUEditTheSecret() {
        VaultTerminals terminal = VaultTerminals.typing("abX\u007fc\u0015xyz\u0008w\n");
        try (SecretPrompt prompt = terminal.prompt()) {
            assertThat(prompt.readSecret("> ")).hasValueSatisfying(s -> assertThat(new String(s)).isEqualTo("xyw"));
        }
    }

    @Test
    void crLfCountsAsOneEnterSoTheNextAnswerIsNotEmpty() {
        VaultTerminals terminal = VaultTerminals.typing("one\r\ntwo\r\n");
        try (SecretPrompt prompt = terminal.prompt()) {
            assertThat(prompt.readSecret("1: ")).hasValueSatisfying(s -> assertThat(new String(s)).isEqualTo("one"));
            assertThat(prompt.readSecret("2: ")).hasValueSatisfying(s -> assertThat(new String(s)).isEqualTo("two"));
            assertThat(prompt.readSecret("3: ")).isEmpty();
        }
    }

    @Test
    void ctrlCCancelsWithExit130AndCtrlDEndsInput() {
        try (SecretPrompt prompt = VaultTerminals.typing("abc\u0003").prompt()) {
            assertThatThrownBy(() -> prompt.readSecret("> ")).isInstanceOf(InterruptedRunException.class)
                    .hasMessage("cancelled");
        }
        try (SecretPrompt prompt = VaultTerminals.typing("\u0004").prompt()) {
            assertThat(prompt.readSecret("> ")).isEmpty();
        }
    }

    @Test
    void confirmIsYesOnlyForYOrYes() {
        try (SecretPrompt prompt = VaultTerminals.typing("y\nYES\nn\n\nmaybe\n").prompt()) {
            assertThat(prompt.confirm("a?")).isTrue();
            assertThat(prompt.confirm("b?")).isTrue();
            assertThat(prompt.confirm("c?")).isFalse();
            assertThat(prompt.confirm("d?")).isFalse();
            assertThat(prompt.confirm("e?")).isFalse();
            assertThat(prompt.confirm("f?")).isFalse();  // end of input
        }
    }

    @Test
    void firstLineReadsOneLineWithoutItsEndingAndLeavesTheRest() throws Exception {
        InputStream in = stream("sk-test\r\nsecond line\n");
        assertThat(SecretPrompt.firstLine(in)).hasValueSatisfying(s -> assertThat(new String(s)).isEqualTo("sk-test"));
        assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("second line\n");

        assertThat(SecretPrompt.firstLine(stream("no newline"))).hasValueSatisfying(
                s -> assertThat(new String(s)).isEqualTo("no newline"));
        assertThat(SecretPrompt.firstLine(stream(""))).isEmpty();
        assertThat(SecretPrompt.firstLine(stream("\n"))).hasValueSatisfying(s -> assertThat(s).isEmpty());
    }

    @Test
    void firstLineRefusesBytesThatAreNotUtf8() {
        InputStream in = new ByteArrayInputStream(new byte[] {'a', (byte) 0xff, '\n'});
        assertThatThrownBy(() -> SecretPrompt.firstLine(in)).isInstanceOf(UsageException.class)
                .hasMessage("the input on stdin is not UTF-8 text");
    }

    private static InputStream stream(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void thePasswordPromptSaysWhatTheVaultIsOpenedFor() {
        VaultTerminals terminal = VaultTerminals.typing("pw\r");
        CliEnvironment environment = new CliEnvironment(InputStream.nullInputStream(),
                new java.io.PrintWriter(java.io.Writer.nullWriter()), new java.io.PrintWriter(java.io.Writer.nullWriter()),
                java.util.Map.of(), java.nio.file.Path.of("."), java.nio.file.Path.of("."), "i");
        try (SecretPrompt prompt = terminal.prompt()) {
            char[] password = new VaultPasswords(environment, () -> prompt).password(java.nio.file.Path.of("/v/vault.enc"),
                    "llmo needs the key for provider openai (OPENAI_API_KEY) from the vault");

            assertThat(new String(password)).isEqualTo("pw");
            assertThat(terminal.shown())
                    .startsWith("llmo needs the key for provider openai (OPENAI_API_KEY) from the vault: password: **");
        }
    }
}
