package dev.llmo.cli;

import static dev.llmo.cli.CliRunAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.llmo.failure.ExitCode;
import dev.llmo.vault.UnlockedVault;
import dev.llmo.vault.Vault;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Vault commands with stdin on a terminal: the password and secrets typed at masked prompts. */
class VaultTerminalCommandTest {
    @TempDir
    Path home;

    /** Runs {@code llmo vault ARGS} as if stdin were a terminal, typing {@code keystrokes} at the prompts. */
    private CliRun.Result typing(String keystrokes, Map<String, String> env, String... args) {
        VaultTerminals terminal = VaultTerminals.typing(keystrokes);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Map<String, String> all = new java.util.HashMap<>(env);
        all.put("LLMO_HOME", home.resolve("llmo").toString());
        all.put("LLMO_SYSTEM_CONFIG_DIR", home.resolve("etc").toString());
        CliEnvironment environment = new CliEnvironment(InputStream.nullInputStream(), new PrintWriter(out),
                new PrintWriter(err), Map.copyOf(all), home, home, "i", CliRun.FAST_VAULT);
        CliContext context = new CliContext(environment, new GlobalOptions(false, false));
        ErrorReporter reporter = new ErrorReporter(context);
        CommandLine commandLine = new CommandLine(new VaultCommand(context, e -> terminal.prompt()))
                .setOut(environment.out()).setErr(environment.err())
                .setExecutionExceptionHandler(reporter).setParameterExceptionHandler(reporter);
        int code = commandLine.execute(args);
        environment.out().flush();
        environment.err().flush();
        return new CliRun.Result(code, out.toString(), err.toString() + terminal.shown());
    }

    @Test
    void setOnATerminalAsksForTheSecretThenCreatesTheVaultAndGetAsksForThePassword() {
        CliRun.Result set = typing("sk-typed-secret\rmy vault passphrase\rmy vault passphrase\r", Map.of(),
                "set", "OPENAI_API_KEY");

        assertThat(set).succeeded();
        assertThat(set.err()).containsSubsequence("OPENAI_API_KEY (typing shows as *): ", "There is no vault at",
                        "New vault password: ", "Repeat the password: ")
                .contains("llmo: stored OPENAI_API_KEY")
                .doesNotContain("my vault passphrase", "sk-typed-secret");

        CliRun.Result get = typing("my vault passphrase\r", Map.of(), "get", "OPENAI_API_KEY");
        assertThat(get).succeeded().outIs("sk-typed-secret\n")
                .errIs("llmo vault get opens the vault: password: *******************\n");
    }

    @Test
    void aRefusedSecretOnATerminalCreatesNoVault() {
        CliRun.Result set = typing("sk-typed\u2019secret\r", Map.of(), "set", "OPENAI_API_KEY");

        assertThat(set).failedWith(ExitCode.USAGE);
        assertThat(set.err()).contains("cannot carry").doesNotContain("There is no vault at", "sk-typed");
        assertThat(home.resolve("llmo/vault.enc")).doesNotExist();
        assertThat(home.resolve("llmo")).satisfiesAnyOf(d -> assertThat(d).doesNotExist(),
                d -> assertThat(d).isEmptyDirectory());
    }

    @Test
    void aWrongTypedPasswordIsExit4AndCtrlCIsExit130() {
        Vault vault = Vault.withIterations(home.resolve("llmo/vault.enc"), CliRun.FAST_VAULT);
        try (UnlockedVault open = vault.create("right password 1".toCharArray())) {
            open.put("K", "v");
        }

        CliRun.Result wrong = typing("wrong\r", Map.of(), "get", "K");
        assertThat(wrong).failedWith(ExitCode.CREDENTIALS).errContains("wrong password");

        CliRun.Result cancelled = typing("righ\u0003", Map.of(), "get", "K");
        assertThat(cancelled).failedWith(ExitCode.INTERRUPTED).outIsEmpty();
    }

    @Test
    void passwdOnATerminalAsksForTheNewPasswordTwice() {
        Vault vault = Vault.withIterations(home.resolve("llmo/vault.enc"), CliRun.FAST_VAULT);
        try (UnlockedVault open = vault.create("old password one".toCharArray())) {
            open.put("K", "v");
        }

        CliRun.Result passwd = typing("new password two!\rnew password two!\r",
                Map.of("LLMO_VAULT_PASSWORD", "old password one"), "passwd");

        assertThat(passwd).succeeded()
                .errContains("New vault password: ", "strength: ", "llmo: changed the password of");
        try (UnlockedVault open = vault.unlock("new password two!".toCharArray())) {
            assertThat(open.secret("K")).contains("v");
        }
    }
}
