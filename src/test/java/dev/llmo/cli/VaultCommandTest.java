package dev.llmo.cli;

import static dev.llmo.cli.CliRunAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmo.failure.ExitCode;
import dev.llmo.vault.UnlockedVault;
import dev.llmo.vault.Vault;
import dev.llmo.vault.VaultSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code llmo vault …} end to end through {@link CliRun}, without a terminal: passwords from LLMO_VAULT_PASSWORD,
 * secrets from stdin. The tests share one vault made once (with {@link CliRun#FAST_VAULT} iterations) and copied;
 * one test checks the count the command line really writes.
 */
class VaultCommandTest {
    private static final String PASSWORD = "fixture password 1";
    private static byte[] fixture;

    @TempDir
    static Path fixtureHome;
    @TempDir
    Path home;
    private Path vaultFile;

    @BeforeAll
    static void makeTheSharedVault() throws Exception {
        CliRun.Result init = CliRun.in(fixtureHome).env("LLMO_VAULT_PASSWORD", PASSWORD).run("vault", "init");
        assertThat(init).succeeded().errIs("llmo: created the vault " + fixtureHome.resolve("llmo/vault.enc") + "\n");
        CliRun.Result set = CliRun.in(fixtureHome).env("LLMO_VAULT_PASSWORD", PASSWORD).stdin("sk-openai-test\n")
                .run("vault", "set", "OPENAI_API_KEY");
        assertThat(set).succeeded().outIsEmpty()
                .errIs("llmo: stored OPENAI_API_KEY in " + fixtureHome.resolve("llmo/vault.enc") + "\n");
        fixture = Files.readAllBytes(fixtureHome.resolve("llmo/vault.enc"));
    }

    @BeforeEach
    void copyTheVault() throws Exception {
        vaultFile = home.resolve("llmo/vault.enc");
        Files.createDirectories(vaultFile.getParent());
        Files.write(vaultFile, fixture);
        Files.setPosixFilePermissions(vaultFile, PosixFilePermissions.fromString("rw-------"));
    }

    private CliRun llmo() {
        return CliRun.in(home).env("LLMO_VAULT_PASSWORD", PASSWORD);
    }

    @Test
    void initWritesTheRealIterationCountAndMode0600() throws Exception {
        Path real = home.resolve("real");
        assertThat(CliRun.in(real).env("LLMO_VAULT_PASSWORD", PASSWORD).realVaultIterations().run("vault", "init"))
                .succeeded();
        Path file = real.resolve("llmo/vault.enc");
        assertThat(new ObjectMapper().readTree(file.toFile()).at("/kdf/iterations").asInt()).isEqualTo(600_000);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(CliRun.in(real).run("vault", "status").out())
                .contains("kdf:         PBKDF2-HMAC-SHA256, 600000 iterations, 16-byte salt\n");
    }

    @Test
    void getPrintsTheSecretAndNothingElse() {
        CliRun.Result get = llmo().run("vault", "get", "OPENAI_API_KEY");

        assertThat(get).succeeded().outIs("sk-openai-test\n").errIsEmpty();
    }

    @Test
    void setReadsTheFirstLineOfStdinReplacesAndListShowsNamesAndDatesOnly() {
        CliRun.Result set = llmo().stdin("  sk-new-value  \nignored second line\n").run("vault", "set", "OPENAI_API_KEY");
        assertThat(set).succeeded().errIs("llmo: replaced OPENAI_API_KEY in " + vaultFile + "\n");

        CliRun.Result list = llmo().run("vault", "list");
        assertThat(list).succeeded();
        assertThat(list.out()).matches("NAME {10}  CREATED {13}  UPDATED\n"
                + "OPENAI_API_KEY  \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ  \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\n");
        assertThat(list.out() + list.err()).doesNotContain("sk-");
        assertThat(llmo().run("vault", "get", "OPENAI_API_KEY").out()).isEqualTo("sk-new-value\n");
    }

    @Test
    void setWithNothingOnStdinIsAUsageErrorAndChangesNothing() throws Exception {
        CliRun.Result set = llmo().stdin("").run("vault", "set", "GEMINI_API_KEY");

        assertThat(set).failedWith(ExitCode.USAGE);
        assertThat(set.err()).isEqualTo("llmo: error: no secret on stdin for GEMINI_API_KEY; pipe it as the first "
                + "line, e.g. 'pass show openai | llmo vault set GEMINI_API_KEY'\n");
        assertThat(Files.readAllBytes(vaultFile)).isEqualTo(fixture);
    }

    @Test
    void setRefusesASecretNoHeaderCanCarryAndChangesNothing() throws Exception {
        CliRun.Result set = llmo().stdin("sk-pasted-secret\u2019\n").run("vault", "set", "OPENAI_API_KEY");

        assertThat(set).failedWith(ExitCode.USAGE);
        assertThat(set.err()).isEqualTo("llmo: error: OPENAI_API_KEY has a character an HTTP header cannot carry "
                + "(U+2019 at position 17: a typographic quote?); the vault is unchanged; set it again without that "
                + "character\n");
        assertThat(Files.readAllBytes(vaultFile)).isEqualTo(fixture);
    }

    @Test
    void aRefusedSecretCreatesNoVault() throws Exception {
        Files.delete(vaultFile);
        for (String stdin : new String[] {"", "  \n", "sk-pasted-secret\u2019\n", "sk-a\u0000b\n"}) {
            CliRun.Result set = llmo().stdin(stdin).run("vault", "set", "OPENAI_API_KEY");

            assertThat(set).failedWith(ExitCode.USAGE);
            assertThat(set.err()).doesNotContain("created", "sk-");
            try (var left = Files.list(vaultFile.getParent())) {
                assertThat(left).as("files after a refused secret").isEmpty();
            }
        }
        assertThat(llmo().stdin("sk-fine\n").run("vault", "set", "OPENAI_API_KEY")).succeeded()
                .errContains("created the vault " + vaultFile);
    }

    @Test
    void aSecretOnTheCommandLineIsRefused() {
        CliRun.Result set = llmo().run("vault", "set", "OPENAI_API_KEY", "sk-on-argv");

        assertThat(set).failedWith(ExitCode.USAGE);
        assertThat(set.err()).startsWith("llmo: error: llmo never takes a secret on the command line")
                .doesNotContain("sk-on-argv");
    }

    @Test
    void anUnknownOptionCarryingASecretIsNotRepeated() {
        CliRun.Result set = llmo().run("vault", "set", "OPENAI_API_KEY", "--value=sk-on-argv-789");

        assertThat(set).failedWith(ExitCode.USAGE);
        assertThat(set.err()).startsWith("llmo: error: unexpected argument (not shown").doesNotContain("sk-on-argv");
    }

    @Test
    void anInvalidNameIsAUsageError() {
        CliRun.Result set = llmo().stdin("x\n").run("vault", "set", "BAD NAME");

        assertThat(set).failedWith(ExitCode.USAGE);
        assertThat(set.err()).startsWith("llmo: error: invalid entry name 'BAD NAME'; use letters, digits");
    }

    @Test
    void aWrongPasswordIsExit4AndShowsNoSecretEvenWithDebug() throws Exception {
        CliRun.Result get = CliRun.in(home).env("LLMO_VAULT_PASSWORD", "not the password")
                .run("--debug", "vault", "get", "OPENAI_API_KEY");

        assertThat(get).failedWith(ExitCode.CREDENTIALS).outIsEmpty();
        assertThat(get.err()).startsWith("llmo: error: cannot unlock the vault " + vaultFile
                        + ": wrong password, or the file was modified or damaged; check the password")
                .doesNotContain("sk-openai-test", "not the password", PASSWORD);
        assertThat(Files.readAllBytes(vaultFile)).isEqualTo(fixture);
    }

    @Test
    void noPasswordAndNoTerminalIsExit4NamingTheVariable() {
        CliRun.Result get = CliRun.in(home).run("vault", "get", "OPENAI_API_KEY");

        assertThat(get).failedWith(ExitCode.CREDENTIALS);
        assertThat(get.err()).isEqualTo("llmo: error: the vault " + vaultFile + " is locked and there is no terminal "
                + "to ask for its password; set LLMO_VAULT_PASSWORD to the vault password\n");
    }

    @Test
    void setWithNoVaultNoPasswordAndNoTerminalSaysHowToCreateOne() throws Exception {
        Path fresh = Files.createDirectories(home.resolve("fresh"));
        CliRun.Result set = CliRun.in(home).env("LLMO_HOME", fresh.toString()).stdin("sk-new\n")
                .run("vault", "set", "OPENAI_API_KEY");

        assertThat(set).failedWith(ExitCode.CREDENTIALS).outIsEmpty();
        assertThat(set.err()).isEqualTo("llmo: error: there is no vault at " + fresh.resolve("vault.enc") + " yet, and no "
                + "terminal to ask for the password of a new one; run 'llmo vault init' on a terminal, or set "
                + "LLMO_VAULT_PASSWORD to the password the new vault should have\n");
        assertThat(fresh.resolve("vault.enc")).doesNotExist();
    }

    @Test
    void aMissingEntryIsExit4WithASuggestion() {
        CliRun.Result get = llmo().run("vault", "get", "OPENAI_API_KEX");

        assertThat(get).failedWith(ExitCode.CREDENTIALS);
        assertThat(get.err()).isEqualTo("llmo: error: no entry OPENAI_API_KEX in the vault " + vaultFile
                + " (did you mean 'OPENAI_API_KEY'?); store it with 'llmo vault set OPENAI_API_KEX'\n");
    }

    @Test
    void removeDeletesAndASecondRemoveIsExit4() {
        CliRun.Result remove = llmo().run("vault", "remove", "OPENAI_API_KEY");
        assertThat(remove).succeeded().errIs("llmo: removed OPENAI_API_KEY from " + vaultFile + "\n");

        CliRun.Result again = llmo().run("vault", "rm", "OPENAI_API_KEY");
        assertThat(again).failedWith(ExitCode.CREDENTIALS);
        assertThat(again.err()).startsWith("llmo: error: no entry OPENAI_API_KEY in the vault")
                .endsWith("; run 'llmo vault list' to see the entries\n");
    }

    @Test
    void passwdTakesTheNewPasswordFromStdinAndRetiresTheOldOne() {
        CliRun.Result passwd = llmo().stdin("brand new password 2\n").run("vault", "passwd");
        assertThat(passwd).succeeded();
        assertThat(passwd.err()).isEqualTo("llmo: changed the password of " + vaultFile
                + "; update LLMO_VAULT_PASSWORD to the new one\n");

        assertThat(llmo().run("vault", "get", "OPENAI_API_KEY")).failedWith(ExitCode.CREDENTIALS);
        CliRun.Result get = CliRun.in(home).env("LLMO_VAULT_PASSWORD", "brand new password 2")
                .run("vault", "get", "OPENAI_API_KEY");
        assertThat(get.out()).isEqualTo("sk-openai-test\n");
    }

    /** A password that came without a prompt was not rated as it was typed: a weak one is said, as init says it. */
    @Test
    void aWeakPasswordFromStdinOrTheEnvironmentIsSaidByPasswdAndBySetCreatingTheVault(@TempDir Path fresh) {
        CliRun.Result passwd = llmo().stdin("x\n").run("vault", "passwd");
        assertThat(passwd).succeeded();
        assertThat(passwd.err()).startsWith("llmo: changed the password of " + vaultFile)
                .contains("\nllmo: warning: the new password from stdin is weak (");

        CliRun.Result set = CliRun.in(fresh).env("LLMO_VAULT_PASSWORD", "a").stdin("sk-openai-test\n")
                .run("vault", "set", "OPENAI_API_KEY");
        assertThat(set).succeeded();
        assertThat(set.err()).contains("llmo: created the vault ",
                "\nllmo: warning: the password in LLMO_VAULT_PASSWORD is weak (");
    }

    @Test
    void passwdWithAnEmptyNewPasswordChangesNothing() throws Exception {
        CliRun.Result passwd = llmo().stdin("\n").run("vault", "passwd");

        assertThat(passwd).failedWith(ExitCode.USAGE);
        assertThat(passwd.err()).startsWith("llmo: error: no new vault password on stdin");
        assertThat(Files.readAllBytes(vaultFile)).isEqualTo(fixture);
    }

    @Test
    void statusNeedsNoPassword() {
        CliRun.Result status = CliRun.in(home).run("vault", "status");

        assertThat(status).succeeded();
        assertThat(status.out()).contains("vault:       " + vaultFile + "\n", "exists:      yes\n",
                "size:        " + fixture.length + " bytes\n", "permissions: rw-------\n",
                "format:      llmo-vault version 1\n",
                "kdf:         PBKDF2-HMAC-SHA256, 1000 iterations, 16-byte salt (below 600000: strengthened at the next unlock)\n",
                "cipher:      AES-256-GCM\n",
                "password:    needed from LLMO_VAULT_PASSWORD (no terminal to ask on)\n");
        assertThat(status.out()).containsPattern("modified:    \\d{4}-\\d\\d-\\d\\dT");
        assertThat(CliRun.in(home).run("vault").out()).isEqualTo(status.out());
    }

    @Test
    void statusWarnsAboutAFileOthersCanRead() throws Exception {
        Files.setPosixFilePermissions(vaultFile, PosixFilePermissions.fromString("rw-r--r--"));

        CliRun.Result status = CliRun.in(home).run("vault", "status");

        assertThat(status.out()).contains("permissions: rw-r--r-- (expected rw-------: run 'chmod 600 " + vaultFile
                + "')\n");
    }

    @Test
    void aWriteRestoresMode0600() throws Exception {
        Files.setPosixFilePermissions(vaultFile, PosixFilePermissions.fromString("rw-r--r--"));

        assertThat(llmo().stdin("sk-2\n").run("vault", "set", "OTHER_KEY")).succeeded();

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(vaultFile))).isEqualTo("rw-------");
    }

    @Test
    void statusWithoutAVaultSaysHowToMakeOne() throws Exception {
        Files.delete(vaultFile);

        CliRun.Result status = CliRun.in(home).run("vault", "status");

        assertThat(status).succeeded().outContains("exists:      no (create it with 'llmo vault init')");
    }

    @Test
    void aDamagedFileIsExit4ForStatusAndGetAndStaysAsItWas() throws Exception {
        byte[] damaged = java.util.Arrays.copyOf(fixture, fixture.length / 2);
        Files.write(vaultFile, damaged);

        CliRun.Result status = CliRun.in(home).run("vault", "status");
        assertThat(status).failedWith(ExitCode.CREDENTIALS).outContains("exists:      yes");
        assertThat(status.err()).startsWith("llmo: error: the vault " + vaultFile + " is damaged: not valid JSON")
                .endsWith("; restore vault.enc from a backup, or move it away and run 'llmo vault init'\n");

        CliRun.Result get = llmo().run("vault", "get", "OPENAI_API_KEY");
        assertThat(get).failedWith(ExitCode.CREDENTIALS);
        assertThat(get.err()).startsWith("llmo: error: the vault " + vaultFile + " is damaged");
        assertThat(Files.readAllBytes(vaultFile)).isEqualTo(damaged);
    }

    @Test
    void aDamagedFileIsDescribedWithoutJacksonsOwnLocation() throws Exception {
        Files.writeString(vaultFile, "{\"format\":\"llmo-vault\",\"version\":1,\"kdf\":{\"name\":\"x\"");

        CliRun.Result status = CliRun.in(home).run("vault", "status");

        assertThat(status).failedWith(ExitCode.CREDENTIALS);
        assertThat(status.err()).isEqualTo("llmo: error: the vault " + vaultFile + " is damaged: not valid JSON "
                + "(Unexpected end-of-input: expected close marker for Object at byte 52); restore vault.enc from a "
                + "backup, or move it away and run 'llmo vault init'\n");
    }

    @Test
    void aChangedCiphertextByteIsExit4() throws Exception {
        byte[] tampered = fixture.clone();
        int inCiphertext = new String(fixture, java.nio.charset.StandardCharsets.UTF_8).indexOf("\"ciphertext\":\"") + 20;
        tampered[inCiphertext] = (byte) (tampered[inCiphertext] == 'A' ? 'B' : 'A');
        Files.write(vaultFile, tampered);

        CliRun.Result get = llmo().run("vault", "get", "OPENAI_API_KEY");

        assertThat(get).failedWith(ExitCode.CREDENTIALS)
                .errContains("wrong password, or the file was modified or damaged");
        assertThat(Files.readAllBytes(vaultFile)).isEqualTo(tampered);
    }

    @Test
    void initOnAnExistingVaultIsAUsageErrorAndWithoutPasswordIsExit4() throws Exception {
        CliRun.Result again = llmo().run("vault", "init");
        assertThat(again).failedWith(ExitCode.USAGE);
        assertThat(again.err()).isEqualTo("llmo: error: a vault already exists at " + vaultFile
                + "; change its password with 'llmo vault passwd'; to start over, move the file away first\n");

        Files.delete(vaultFile);
        CliRun.Result noPassword = CliRun.in(home).run("vault", "init");
        assertThat(noPassword).failedWith(ExitCode.CREDENTIALS);
        assertThat(noPassword.err()).isEqualTo("llmo: error: there is no terminal to ask for a new vault password; "
                + "set LLMO_VAULT_PASSWORD to the password the vault should have\n");
        assertThat(vaultFile).doesNotExist();
    }

    @Test
    void getOrListWithoutAVault() throws Exception {
        Files.delete(vaultFile);

        CliRun.Result get = llmo().run("vault", "get", "OPENAI_API_KEY");
        assertThat(get).failedWith(ExitCode.CREDENTIALS);
        assertThat(get.err()).isEqualTo("llmo: error: there is no vault at " + vaultFile
                + "; create it with 'llmo vault init'\n");

        CliRun.Result list = CliRun.in(home).run("vault", "list");
        assertThat(list).succeeded().outIsEmpty();
        assertThat(list.err()).isEqualTo("llmo: there is no vault at " + vaultFile
                + " yet; create it with 'llmo vault init'\n");
    }

    @Test
    void theVaultKeysForKeyResolutionUnlockWithTheEnvironmentPassword() {
        CliEnvironment environment = new CliEnvironment(java.io.InputStream.nullInputStream(),
                new java.io.PrintWriter(new java.io.StringWriter()), new java.io.PrintWriter(new java.io.StringWriter()),
                java.util.Map.of("LLMO_HOME", home.resolve("llmo").toString(), "LLMO_VAULT_PASSWORD", PASSWORD),
                home, home, "");
        CliContext context = new CliContext(environment, new GlobalOptions(false, false));

        try (var keys = VaultPasswords.vaultKeys(context)) {
            assertThat(keys.isUnlocked()).isFalse();
            assertThat(keys.secret("OPENAI_API_KEY")).contains("sk-openai-test");
            assertThat(keys.secret("GEMINI_API_KEY")).isEmpty();
            assertThat(keys.isUnlocked()).isTrue();
        }
    }

    @Test
    void unlockOnATerminalStdoutIsRefusedBeforeAnyPasswordAndShowsTheEvalLine() {
        CliRun.Result unlock = llmo().tty("ioe").run("vault", "unlock", "--for", "1h");

        assertThat(unlock).failedWith(ExitCode.USAGE).outIsEmpty();
        assertThat(unlock.err()).contains("llmo vault unlock prints a line for your shell to run",
                "eval \"$(llmo vault unlock --for 1h)\"");
    }

    @Test
    void unlockTakesDurationsUpToADay() {
        for (String bad : new String[] {"0m", "25h", "15", "1d", "m", "1h 5m"}) {
            CliRun.Result unlock = llmo().run("vault", "unlock", "--for", bad);
            assertThat(unlock).as(bad).failedWith(ExitCode.USAGE);
            assertThat(unlock.err()).as(bad).contains("--for takes a duration from 1s to 24h such as 90s, 15m, 2h "
                    + "or 1h30m, not '" + bad + "'");
        }
    }

    @Test
    void lockWithNoSessionSaysSoAndPrintsTheUnsetLine() throws Exception {
        Path runtime = Files.createDirectory(home.resolve("run"));
        CliRun.Result lock = CliRun.in(home).env("XDG_RUNTIME_DIR", runtime.toString()).run("vault", "lock");

        assertThat(lock).succeeded().outIs("unset LLMO_VAULT_SESSION;\n").errIs("llmo: no vault session was open\n");
    }

    @Test
    void statusSaysWhetherTheShellHasASession() throws Exception {
        assertThat(CliRun.in(home).run("vault", "status").out()).contains("session:     none ('llmo vault unlock' opens one)\n");
        assertThat(CliRun.in(home).env("LLMO_VAULT_SESSION", home.resolve("gone.sock") + "#"
                + "A".repeat(43)).run("vault", "status").out())
                .contains("session:     closed or expired (LLMO_VAULT_SESSION is stale)\n");
        Path open = Files.setPosixFilePermissions(Files.createDirectory(home.resolve("open")),
                java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x")); // whatever the umask
        assertThat(CliRun.in(home).env("LLMO_VAULT_SESSION", open.resolve("agent.sock") + "#" + "A".repeat(43))
                .run("vault", "status").out()).contains("session:     not used: its directory " + open + " is not "
                        + "private to you (fix: chmod 700 " + open + ")\n");
    }

    @Test
    void statusSaysThatAnOpenSessionNeedsNoPassword(@TempDir Path runtime) throws Exception {
        Map<String, String> env = Map.of("XDG_RUNTIME_DIR", runtime.toString());
        VaultSession session;
        try (UnlockedVault open = Vault.withIterations(runtime.resolve("session.enc"), 1000)
                .create("session password 1".toCharArray())) {
            session = VaultSession.start(open, Duration.ofMinutes(5), env);
        }
        try {
            String until = session.expires().orElseThrow().truncatedTo(ChronoUnit.SECONDS).toString();

            CliRun.Result status = CliRun.in(home).env("LLMO_VAULT_SESSION", session.environmentValue())
                    .run("vault", "status");

            assertThat(status).succeeded();
            assertThat(status.out()).contains("session:     open until " + until + " (LLMO_VAULT_SESSION)\n",
                    "password:    not needed: the session is open until " + until + "\n");
        } finally {
            session.lock();
        }
    }
}
