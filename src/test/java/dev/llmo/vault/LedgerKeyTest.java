package dev.llmo.vault;

import static dev.llmo.vault.TestVaults.pw;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ledger key: derived from the vault key as documented, never stored, only when the vault can be opened. */
class LedgerKeyTest {
    @TempDir
    Path dir;

    private Path vaultWith(String password) {
        Path file = dir.resolve("vault.enc");
        try (UnlockedVault vault = TestVaults.fast(file).create(pw(password))) {
            vault.put("OPENAI_API_KEY", "sk-1");
        }
        return file;
    }

    /** HKDF-Expand(PRK = PBKDF2 vault key, info = "llmo ledger v1", L = 32), computed from the file by hand. */
    private static byte[] independentLedgerKey(Path vaultFile, String password) throws Exception {
        JsonNode file = new ObjectMapper().readTree(Files.readString(vaultFile));
        byte[] salt = Base64.getDecoder().decode(file.get("kdf").get("salt").asText());
        byte[] vaultKey = IndependentVault.pbkdf2(password, salt, file.get("kdf").get("iterations").asInt());
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(vaultKey, "HmacSHA256"));
        mac.update("llmo ledger v1".getBytes(StandardCharsets.UTF_8));
        mac.update((byte) 1);
        return mac.doFinal();
    }

    @Test
    void theKeyIsHkdfOfTheVaultKeyAndNotTheVaultKeyItself() throws Exception {
        Path file = vaultWith("pw");
        try (UnlockedVault vault = TestVaults.fast(file).unlock(pw("pw"))) {
            byte[] key = vault.ledgerKey().orElseThrow();
            assertThat(key).hasSize(32).isEqualTo(independentLedgerKey(file, "pw"));
            JsonNode header = new ObjectMapper().readTree(Files.readString(file));
            byte[] vaultKey = IndependentVault.pbkdf2("pw", Base64.getDecoder().decode(header.get("kdf")
                    .get("salt").asText()), header.get("kdf").get("iterations").asInt());
            assertThat(key).isNotEqualTo(vaultKey);
            assertThat(Files.readString(file)).doesNotContain(Base64.getEncoder().encodeToString(key));
        }
    }

    @Test
    void aLockedVaultGivesNoKeyWithoutUnlockingAndNoPasswordIsAskedFor() {
        Path file = vaultWith("pw");
        AtomicInteger asked = new AtomicInteger();
        VaultKeys keys = new VaultKeys(TestVaults.fast(file), (f, why) -> {
            asked.incrementAndGet();
            return pw("pw");
        });
        assertThat(keys.ledgerKey(false)).isEmpty();
        assertThat(asked).hasValue(0);

        assertThat(keys.ledgerKey(true)).isPresent();
        assertThat(asked).hasValue(1);
        assertThat(keys.ledgerKey(false)).as("unlocked in this process now").isPresent();
        assertThat(asked).hasValue(1);
    }

    @Test
    void aWrongPasswordOrNoVaultGivesNoKeyAndNoError() {
        VaultKeys none = new VaultKeys(TestVaults.fast(dir.resolve("absent.enc")), (f, why) -> pw("pw"));
        assertThat(none.ledgerKey(true)).isEmpty();

        Path file = vaultWith("pw");
        VaultKeys wrong = new VaultKeys(TestVaults.fast(file), (f, why) -> pw("not it"));
        assertThat(wrong.ledgerKey(true)).isEmpty();
    }

    @Test
    void aClosedVaultGivesNoKey() {
        Path file = vaultWith("pw");
        VaultKeys keys = new VaultKeys(TestVaults.fast(file), (f, why) -> pw("pw"));
        assertThat(keys.ledgerKeyUnlocking()).isPresent();
        keys.close();
        assertThat(keys.ledgerKey(false)).isEmpty();
    }

    @Test
    void aNewPasswordMeansANewKey() {
        Path file = vaultWith("pw");
        byte[] before;
        try (UnlockedVault vault = TestVaults.fast(file).unlock(pw("pw"))) {
            before = vault.ledgerKey().orElseThrow();
            vault.changePassword(pw("a much better password 42"));
            assertThat(vault.ledgerKey().orElseThrow()).isNotEqualTo(before);
        }
    }
}
