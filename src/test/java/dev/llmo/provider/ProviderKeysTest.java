package dev.llmo.provider;

import dev.llmo.secret.ApiKey;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmo.config.ModelSpec;
import dev.llmo.config.Origin;
import dev.llmo.config.ProviderConfig;
import dev.llmo.config.ProviderType;
import dev.llmo.failure.CredentialsException;
import dev.llmo.core.KeyResolver;
import dev.llmo.core.ProviderKeys;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProviderKeysTest {

    private static ProviderConfig provider(String keyName, String keyCmd) {
        return new ProviderConfig("openai", ProviderType.OPENAI, "https://api.openai.com/v1", keyName, keyCmd, "m",
                List.<ModelSpec>of(), null, Origin.of("test", "test"));
    }

    @Test
    void keyFromTheEnvironment() {
        ProviderKeys keys = new ProviderKeys(KeyResolver.environment(Map.of("OPENAI_API_KEY", " sk-1 \n")));
        ApiKey key = keys.keyFor(provider("OPENAI_API_KEY", null)).orElseThrow();
        assertThat(key.value()).isEqualTo("sk-1");
        assertThat(key.toString()).isEqualTo("OPENAI_API_KEY=***").doesNotContain("sk-1");
    }

    @Test
    void missingKeyNamesTheExactFix() {
        ProviderKeys keys = new ProviderKeys(KeyResolver.environment(Map.of("OPENAI_API_KEY", "  ")));
        assertThatThrownBy(() -> keys.keyFor(provider("OPENAI_API_KEY", null)))
                .isInstanceOfSatisfying(CredentialsException.class, e -> {
                    assertThat(e.exitCode().code()).isEqualTo(4);
                    assertThat(e.fix()).isEqualTo("run 'llmo vault set OPENAI_API_KEY' or 'export OPENAI_API_KEY=…'");
                })
                .hasMessage("no API key for provider 'openai': OPENAI_API_KEY is not set");
    }

    @Test
    void keylessProviderNeedsNoKey() {
        assertThat(new ProviderKeys(KeyResolver.none()).keyFor(provider(null, null))).isEmpty();
    }

    @Test
    void resolversChainInOrder() {
        KeyResolver vault = KeyResolver.of(Map.of("OPENAI_API_KEY", "from-vault", "OTHER", "x"));
        KeyResolver chain = KeyResolver.environment(Map.of("OPENAI_API_KEY", "from-env")).then(vault);
        assertThat(chain.find("OPENAI_API_KEY")).contains("from-env");
        assertThat(chain.find("OTHER")).contains("x");
        assertThat(KeyResolver.chain(List.of(KeyResolver.none(), vault)).find("OTHER")).contains("x");
    }

    @Test
    void apiKeyCmdIsUsedWhenTheVariableIsUnset() {
        ProviderKeys keys = new ProviderKeys(KeyResolver.none());
        assertThat(keys.keyFor(provider("OPENAI_API_KEY", "printf 'sk-from-cmd\\n'")).orElseThrow().value())
                .isEqualTo("sk-from-cmd");
        assertThat(new ProviderKeys(KeyResolver.of(Map.of("OPENAI_API_KEY", "env")))
                .keyFor(provider("OPENAI_API_KEY", "echo cmd")).orElseThrow().value()).isEqualTo("env");
    }

    @Test
    void apiKeyCmdRunsOncePerProcessHoweverManyCalls(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) {
        java.nio.file.Path counter = tmp.resolve("runs");
        ProviderKeys keys = new ProviderKeys(KeyResolver.none());
        var provider = provider(null, "echo x >> '" + counter + "'; echo sk-counted");

        keys.keyFor(provider);
        keys.keyFor(provider);

        assertThat(counter).hasContent("x");
    }

    @Test
    void aKeyAHeaderCannotCarryIsRefusedWhereItIsFoundNamingTheCharacterNotTheKey() {
        var env = new ProviderKeys(KeyResolver.environment(Map.of("OPENAI_API_KEY", "sk-pasted-secret\u2026")));
        var command = new ProviderKeys(KeyResolver.none());
        var vault = new ProviderKeys(KeyResolver.none(), KeyResolver.of(Map.of("OPENAI_API_KEY", "sk-\u201csecret")));

        assertThatThrownBy(() -> env.keyFor(provider("OPENAI_API_KEY", null)))
                .isInstanceOfSatisfying(CredentialsException.class, e -> {
                    assertThat(e.exitCode().code()).isEqualTo(4);
                    assertThat(e.fix()).isEqualTo("export OPENAI_API_KEY=… again without it");
                })
                .hasMessage("OPENAI_API_KEY has a character an HTTP header cannot carry (U+2026 at position 17: a "
                        + "pasted '\u2026'?)");
        assertThatThrownBy(() -> command.keyFor(provider(null, "printf 'sk-cmd-secret\\001'")))
                .isInstanceOf(CredentialsException.class)
                .hasMessage("the key printed by api_key_cmd of provider 'openai' has a character an HTTP header "
                        + "cannot carry (U+0001 at position 14: a control character?)");
        assertThatThrownBy(() -> vault.keyFor(provider("OPENAI_API_KEY", null)))
                .isInstanceOfSatisfying(CredentialsException.class,
                        e -> assertThat(e.fix()).isEqualTo("store it again without it: llmo vault set OPENAI_API_KEY"))
                .hasMessage("the vault entry OPENAI_API_KEY has a character an HTTP header cannot carry (U+201C at "
                        + "position 4: a typographic quote?)");
    }

    @Test
    void aTabAndPrintableAsciiAreSendable() {
        assertThat(ApiKey.headerProblem("sk-A~ z\t0")).isNull();
        assertThat(ApiKey.headerProblem("sk-\u00e9")).isEqualTo("U+00E9 at position 4");
        assertThat(ApiKey.headerProblem("\ud83d\ude00x\u007f")).as("a character beyond the BMP counts as one")
                .isEqualTo("U+1F600 at position 1");
    }

    @Test
    void failingApiKeyCmdIsACredentialsError() {
        ProviderKeys keys = new ProviderKeys(KeyResolver.none());
        assertThatThrownBy(() -> keys.keyFor(provider(null, "exit 3")))
                .isInstanceOf(CredentialsException.class)
                .hasMessage("api_key_cmd of provider 'openai' failed with exit code 3");
        assertThatThrownBy(() -> keys.keyFor(provider(null, "true")))
                .isInstanceOf(CredentialsException.class)
                .hasMessage("api_key_cmd of provider 'openai' printed nothing");
    }

    private static ProviderKeys keysWith(Map<String, String> env, java.time.Duration timeout) {
        return new ProviderKeys(KeyResolver.none(), KeyResolver.none(),
                dev.llmo.core.ChildEnvironment.of(env, List.of("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "CUSTOM_TOKEN")),
                timeout);
    }

    @Test
    void apiKeyCmdGetsNoVaultPasswordNoSessionAndNoProviderKeys(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws Exception {
        java.nio.file.Path dump = tmp.resolve("env");
        Map<String, String> env = new java.util.HashMap<>();
        env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        env.put("LLMO_VAULT_PASSWORD", "hunter2-vault-password");
        env.put("LLMO_VAULT_SESSION", "/run/user/1/llmo/agent-1.sock#session-token");
        env.put("OPENAI_API_KEY", "sk-openai-secret");
        env.put("ANTHROPIC_API_KEY", "sk-ant-secret");
        env.put("CUSTOM_TOKEN", "custom-secret");
        env.put("UNRELATED", "kept");
        ProviderKeys keys = keysWith(env, ProviderKeys.DEFAULT_COMMAND_TIMEOUT);

        String key = keys.keyFor(provider("OPENAI_API_KEY", "env > '" + dump + "'; echo sk-from-cmd"))
                .orElseThrow().value();

        assertThat(key).isEqualTo("sk-from-cmd");
        String seen = java.nio.file.Files.readString(dump);
        assertThat(seen).contains("UNRELATED=kept").contains("PATH=")
                .doesNotContain("LLMO_VAULT_PASSWORD").doesNotContain("hunter2")
                .doesNotContain("LLMO_VAULT_SESSION").doesNotContain("session-token")
                .doesNotContain("sk-openai-secret").doesNotContain("sk-ant-secret").doesNotContain("custom-secret");
    }

    @Test
    void aHangingApiKeyCmdIsStoppedWithEverythingItStarted(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws Exception {
        java.nio.file.Path pidFile = tmp.resolve("pid");
        ProviderKeys keys = keysWith(System.getenv(), java.time.Duration.ofSeconds(1));
        // the shell starts a child that would outlive it, and keeps stdout open: 0.1.0 waited forever
        var provider = provider(null, "sleep 300 & echo $! > '" + pidFile + "'; wait");

        assertThatThrownBy(() -> keys.keyFor(provider))
                .isInstanceOfSatisfying(CredentialsException.class, e -> {
                    assertThat(e.exitCode().code()).isEqualTo(4);
                    assertThat(e.fix()).contains("prints the key when run in a shell");
                })
                .hasMessage("api_key_cmd of provider 'openai' did not finish within 1 s; it and the processes it "
                        + "started were stopped");
        long pid = Long.parseLong(java.nio.file.Files.readString(pidFile).strip());
        java.util.Optional<ProcessHandle> sleeper = ProcessHandle.of(pid);
        if (sleeper.isPresent()) {
            sleeper.get().onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
        }
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).isNotEqualTo(java.util.Optional.of(true));
    }

    @Test
    void anApiKeyCmdThatPrintsWithoutEndIsStopped() {
        ProviderKeys keys = keysWith(System.getenv(), java.time.Duration.ofSeconds(20));
        assertThatThrownBy(() -> keys.keyFor(provider(null, "yes sk-0123456789")))
                .isInstanceOf(CredentialsException.class)
                .hasMessage("api_key_cmd of provider 'openai' printed more than 64 KiB; it was stopped");
    }
}
