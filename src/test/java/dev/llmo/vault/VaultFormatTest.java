package dev.llmo.vault;

import static dev.llmo.vault.TestVaults.FAST;
import static dev.llmo.vault.TestVaults.pw;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file llmo writes is exactly design.md "Vault file", readable by independent code, and vice versa. */
class VaultFormatTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void independentCodeDecryptsWhatLlmoWrites() throws Exception {
        Path file = dir.resolve("vault.enc");
        try (UnlockedVault vault = TestVaults.fast(file).create(pw("correct horse"))) {
            vault.put("OPENAI_API_KEY", "sk-test-123");
            vault.put("GEMINI_API_KEY", "g-ünïcødé-✓");
        }

        String plaintext = IndependentVault.decrypt(Files.readAllBytes(file), "correct horse");

        JsonNode secrets = JSON.readTree(plaintext).get("secrets");
        assertThat(secrets.at("/OPENAI_API_KEY/value").asText()).isEqualTo("sk-test-123");
        assertThat(secrets.at("/GEMINI_API_KEY/value").asText()).isEqualTo("g-ünïcødé-✓");
        assertThat(secrets.at("/OPENAI_API_KEY/created").asText()).isEqualTo("2026-11-21T19:40:48Z");
        assertThat(secrets.at("/OPENAI_API_KEY/updated").asText()).isEqualTo("2026-11-21T19:40:48Z");
    }

    @Test
    void theEnvelopeHasTheDocumentedFieldsInTheDocumentedOrder() throws Exception {
        Path file = dir.resolve("vault.enc");
        TestVaults.fast(file).create(pw("pw")).close();

        String text = Files.readString(file, StandardCharsets.UTF_8);
        JsonNode json = JSON.readTree(text);
        assertThat(text).startsWith("{\"format\":\"llmo-vault\",\"version\":1,\"kdf\":{\"name\":\"PBKDF2-HMAC-SHA256\","
                + "\"iterations\":" + FAST + ",\"salt\":\"").endsWith("\"}\n").doesNotContain(" ");
        assertThat(text).contains("},\"cipher\":{\"name\":\"AES-256-GCM\",\"nonce\":\"");
        assertThat(Base64.getDecoder().decode(json.at("/kdf/salt").asText())).hasSize(16);
        assertThat(Base64.getDecoder().decode(json.at("/cipher/nonce").asText())).hasSize(12);
        // An empty vault: {"secrets":{}} is 14 bytes, plus the 16-byte tag.
        assertThat(Base64.getDecoder().decode(json.get("ciphertext").asText())).hasSize(14 + 16);
        assertThat(json.size()).isEqualTo(5);
    }

    @Test
    void theFileIsOwnerOnlyAndNoTemporaryFileStays() throws Exception {
        Path file = dir.resolve("sub/dir/vault.enc");
        try (UnlockedVault vault = TestVaults.fast(file).create(pw("pw"))) {
            vault.put("A", "1");
        }

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        try (var files = Files.list(file.getParent())) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("vault.enc",
                    "vault.enc.lock");
        }
    }

    @Test
    void everyWriteHasAFreshNonceAndTheSaltStaysUntilThePasswordChanges() throws Exception {
        Path file = dir.resolve("vault.enc");
        Set<String> nonces = new HashSet<>();
        Set<String> salts = new HashSet<>();
        try (UnlockedVault vault = TestVaults.fast(file).create(pw("pw"))) {
            for (int i = 0; i < 10; i++) {
                vault.put("K" + i, "v" + i);
                JsonNode json = JSON.readTree(file.toFile());
                nonces.add(json.at("/cipher/nonce").asText());
                salts.add(json.at("/kdf/salt").asText());
            }
            assertThat(nonces).hasSize(10);
            assertThat(salts).hasSize(1);

            vault.changePassword(pw("new"));
        }
        assertThat(JSON.readTree(file.toFile()).at("/kdf/salt").asText()).isNotIn(salts);
        assertThat(IndependentVault.decrypt(Files.readAllBytes(file), "new")).contains("\"K9\"");
    }

    @Test
    void llmoReadsAFileWrittenIndependentlyWithWhitespaceAndAnyKeyOrder() throws Exception {
        Path file = dir.resolve("vault.enc");
        byte[] salt = new byte[16];
        byte[] nonce = new byte[12];
        new SecureRandom().nextBytes(salt);
        new SecureRandom().nextBytes(nonce);
        Files.write(file, IndependentVault.encrypt("{\"secrets\":{\"ANTHROPIC_API_KEY\":{\"value\":\"sk-ant-1\","
                + "\"created\":\"2026-01-02T03:04:05+01:00\",\"updated\":\"2026-01-02T03:04:05Z\"}}}", "pässwörd", salt,
                FAST, nonce));

        try (UnlockedVault vault = TestVaults.fast(file).unlock(pw("pässwörd"))) {
            assertThat(vault.secret("ANTHROPIC_API_KEY")).contains("sk-ant-1");
            assertThat(vault.entries()).singleElement().satisfies(entry -> {
                assertThat(entry.name()).isEqualTo("ANTHROPIC_API_KEY");
                assertThat(entry.created()).hasToString("2026-01-02T02:04:05Z");
            });
        }
    }

    @Test
    void theJcePasswordEncodingIsUtf8AsDocumented() throws Exception {
        byte[] salt = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
        String password = "pässwörd ✓ 𝄞";

        byte[] jce = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                .generateSecret(new PBEKeySpec(password.toCharArray(), salt, 1000, 256)).getEncoded();

        assertThat(jce).isEqualTo(IndependentVault.pbkdf2(password, salt, 1000));
    }

    @Test
    void theRealDefaultWritesSixHundredThousandIterations() throws Exception {
        Path file = dir.resolve("vault.enc");
        try (UnlockedVault vault = new Vault(file).create(pw("real default"))) {
            vault.put("OPENAI_API_KEY", "sk-real");
        }

        assertThat(JSON.readTree(file.toFile()).at("/kdf/iterations").asInt()).isEqualTo(600_000)
                .isEqualTo(Vault.DEFAULT_ITERATIONS);
        try (UnlockedVault vault = new Vault(file).unlock(pw("real default"))) {
            assertThat(vault.secret("OPENAI_API_KEY")).contains("sk-real");
            assertThat(vault.strengthened()).isFalse();
        }
    }

    @Test
    void unlockingAFileBelowTheDefaultReencryptsItAtTheDefault() throws Exception {
        Path file = dir.resolve("vault.enc");
        try (UnlockedVault vault = TestVaults.fast(file).create(pw("pw"))) {
            vault.put("K", "v");
        }
        String oldSalt = JSON.readTree(file.toFile()).at("/kdf/salt").asText();

        Vault stronger = TestVaults.fast(file, 2 * FAST, Clock.systemUTC());
        try (UnlockedVault vault = stronger.unlock(pw("pw"))) {
            assertThat(vault.strengthened()).isTrue();
            assertThat(vault.iterations()).isEqualTo(2 * FAST);
            vault.put("K2", "v2");
        }

        JsonNode json = JSON.readTree(file.toFile());
        assertThat(json.at("/kdf/iterations").asInt()).isEqualTo(2 * FAST);
        assertThat(json.at("/kdf/salt").asText()).isNotEqualTo(oldSalt);
        assertThat(IndependentVault.decrypt(Files.readAllBytes(file), "pw")).contains("\"K\"", "\"K2\"");
        try (UnlockedVault again = stronger.unlock(pw("pw"))) {
            assertThat(again.strengthened()).isFalse();
        }
    }

    @Test
    void statusReadsTheHeaderWithoutThePassword() {
        Path file = dir.resolve("vault.enc");
        Vault vault = TestVaults.fast(file);
        assertThat(vault.status().exists()).isFalse();
        vault.create(pw("pw")).close();

        VaultStatus status = vault.status();

        assertThat(status.exists()).isTrue();
        assertThat(status.header()).contains(new VaultHeader(1, "PBKDF2-HMAC-SHA256", FAST, 16, "AES-256-GCM"));
        assertThat(status.permissions()).contains("rw-------");
        assertThat(status.size()).isPositive();
        assertThat(status.modified()).isPresent();
        assertThat(status.problem()).isEmpty();
    }

    /** Dates as llmo writes them are read without the JDK's formatters, to the same instant; other forms by them. */
    @Test
    void datesReadAsTheFormatterReadsThem() {
        java.util.Random random = new java.util.Random(15);
        for (int i = 0; i < 5_000; i++) {
            java.time.Instant instant = java.time.Instant.ofEpochSecond(random.nextLong() % 253_402_300_799L,
                    switch (i % 4) {
                        case 0 -> 0;
                        case 1 -> random.nextInt(1000) * 1_000_000;
                        case 2 -> random.nextInt(1_000_000) * 1000;
                        default -> random.nextInt(1_000_000_000);
                    });
            String text = instant.toString();
            assertThat(VaultCodec.instant(text)).as(text).isEqualTo(java.time.OffsetDateTime.parse(text).toInstant())
                    .isEqualTo(instant);
        }
        for (String text : new String[] {"2026-12-07T01:06:27+02:00", "2026-12-07T01:06Z", "2026-12-07T01:06:27.5Z",
                "2026-12-07t01:06:27z", "+12026-12-07T01:06:27Z", "2026-12-07T01:06:27.Z"}) {
            assertThat(VaultCodec.instant(text)).as(text).isEqualTo(java.time.OffsetDateTime.parse(text).toInstant());
        }
        for (String text : new String[] {"2026-02-30T01:06:27Z", "2026-12-07T24:00:00Z",
                "2026-12-07T01:06:2xZ", "2026-13-07T01:06:27Z", "2026-12-07 01:06:27Z", "",
                "2026-12-07T01:06:27.1234567891Z"}) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> VaultCodec.instant(text)).as(text)
                    .isInstanceOf(java.time.format.DateTimeParseException.class);
        }
    }
}
