package dev.llmo.vault;

import static dev.llmo.vault.TestVaults.pw;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmo.failure.CredentialsException;
import dev.llmo.failure.ExitCode;
import dev.llmo.failure.LlmoException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Any changed byte, a truncated file, bad JSON or a wrong password: exit 4, a clear message, the file untouched. */
class VaultTamperTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private Path file;
    private byte[] original;

    @BeforeEach
    void writeAVault() throws Exception {
        file = dir.resolve("vault.enc");
        try (UnlockedVault vault = TestVaults.fast(file).create(pw("right"))) {
            vault.put("OPENAI_API_KEY", "sk-test-123");
        }
        original = Files.readAllBytes(file);
    }

    @Test
    void theUntamperedFileOpens() {
        try (UnlockedVault vault = TestVaults.fast(file).unlock(pw("right"))) {
            assertThat(vault.secret("OPENAI_API_KEY")).contains("sk-test-123");
        }
    }

    @Test
    void aWrongPasswordIsExit4AndNamesTheFile() throws Exception {
        assertThatThrownBy(() -> TestVaults.fast(file).unlock(pw("wrong")))
                .isInstanceOf(CredentialsException.class)
                .hasMessage("cannot unlock the vault " + file + ": wrong password, or the file was modified or damaged")
                .satisfies(e -> assertThat(((LlmoException) e).fix()).contains("LLMO_VAULT_PASSWORD"));
        assertThat(Files.readAllBytes(file)).isEqualTo(original);
    }

    @Test
    void aFlippedBitInEveryByteOfTheFileIsRefused() throws Exception {
        // One bit per byte, a different one for each byte (all eight bits of every byte take ten times longer and
        // exercise the same checks: JSON syntax, field values, canonical base64, the GCM tag).
        for (int i = 0; i < original.length; i++) {
            int bit = (i * 3) % 8;
            byte[] tampered = original.clone();
            tampered[i] ^= (byte) (1 << bit);
            Files.write(file, tampered);
            int at = i;
            assertThatThrownBy(() -> TestVaults.fast(file).unlock(pw("right")))
                    .as("bit %d of byte %d ('%s')", bit, at, (char) original[at])
                    .isInstanceOf(CredentialsException.class)
                    .hasMessageContaining("the vault " + file);
            assertThat(Files.readAllBytes(file)).isEqualTo(tampered);
        }
    }

    @Test
    void everyTruncationIsRefused() throws Exception {
        // The last byte is the trailing newline, which JSON does not need; every shorter prefix must fail.
        for (int length = 0; length < original.length - 1; length++) {
            byte[] truncated = Arrays.copyOf(original, length);
            Files.write(file, truncated);
            assertThatThrownBy(() -> TestVaults.fast(file).unlock(pw("right")))
                    .as("truncated to %d bytes", length)
                    .isInstanceOf(CredentialsException.class)
                    .hasMessageContaining("the vault " + file);
            assertThat(Files.readAllBytes(file)).isEqualTo(truncated);
        }
    }

    static Stream<Arguments> edits() {
        return Stream.of(
                edit("format renamed", o -> o.put("format", "llmo-vault2")),
                edit("version lowered", o -> o.put("version", 0)),
                edit("version as a string", o -> o.put("version", "1")),
                edit("kdf renamed", o -> kdf(o).put("name", "PBKDF2-HMAC-SHA512")),
                edit("iterations raised by one", o -> kdf(o).put("iterations", TestVaults.FAST + 1)),
                edit("iterations below the floor", o -> kdf(o).put("iterations", 999)),
                edit("iterations absurdly high", o -> kdf(o).put("iterations", Integer.MAX_VALUE)),
                edit("iterations as a float", o -> kdf(o).put("iterations", 1000.0)),
                edit("salt byte changed", o -> kdf(o).put("salt", flipDecoded(kdf(o).get("salt").asText(), 0))),
                edit("salt shortened", o -> kdf(o).put("salt", Base64.getEncoder().encodeToString(new byte[15]))),
                edit("cipher renamed", o -> cipher(o).put("name", "AES-128-GCM")),
                edit("nonce byte changed", o -> cipher(o).put("nonce", flipDecoded(cipher(o).get("nonce").asText(), 5))),
                edit("nonce lengthened", o -> cipher(o).put("nonce", Base64.getEncoder().encodeToString(new byte[16]))),
                edit("ciphertext first byte", o -> o.put("ciphertext", flipDecoded(o.get("ciphertext").asText(), 0))),
                edit("ciphertext tag byte", o -> o.put("ciphertext", flipDecoded(o.get("ciphertext").asText(), -1))),
                edit("ciphertext tag removed", o -> o.put("ciphertext", dropDecoded(o.get("ciphertext").asText(), 16))),
                edit("ciphertext not base64", o -> o.put("ciphertext", "!!!!")),
                edit("ciphertext removed", o -> o.remove("ciphertext")),
                edit("kdf removed", o -> o.remove("kdf")),
                edit("extra header field", o -> o.put("note", "added")),
                edit("extra kdf field", o -> kdf(o).put("memory", 1)),
                edit("salt not canonical base64", o -> kdf(o).put("salt", nonCanonical(kdf(o).get("salt").asText()))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("edits")
    void everyHeaderAndCiphertextEditIsRefused(String name, Consumer<ObjectNode> change) throws Exception {
        ObjectNode json = (ObjectNode) JSON.readTree(original);
        change.accept(json);
        byte[] tampered = JSON.writeValueAsBytes(json);
        Files.write(file, tampered);

        assertThatThrownBy(() -> TestVaults.fast(file).unlock(pw("right")))
                .isInstanceOf(CredentialsException.class)
                .hasMessageContaining(file.toString())
                .satisfies(e -> assertThat(((LlmoException) e).exitCode()).isEqualTo(ExitCode.CREDENTIALS));
        assertThat(Files.readAllBytes(file)).isEqualTo(tampered);
    }

    @Test
    void aNewerFormatVersionAsksForAnUpgrade() throws Exception {
        ObjectNode json = (ObjectNode) JSON.readTree(original);
        json.put("version", 2);
        Files.write(file, JSON.writeValueAsBytes(json));

        assertThatThrownBy(() -> TestVaults.fast(file).unlock(pw("right")))
                .isInstanceOf(CredentialsException.class)
                .hasMessageContaining("format version 2, newer than this llmo understands (1)")
                .satisfies(e -> assertThat(((LlmoException) e).fix()).isEqualTo("upgrade llmo"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badJson")
    void badJsonSaysTheVaultIsDamaged(String name, String content) throws Exception {
        Files.writeString(file, content);

        assertThatThrownBy(() -> TestVaults.fast(file).unlock(pw("right")))
                .isInstanceOf(CredentialsException.class)
                .hasMessageStartingWith("the vault " + file + " is damaged: ")
                .satisfies(e -> assertThat(((LlmoException) e).fix()).contains("restore vault.enc from a backup"));
        assertThat(Files.readString(file)).isEqualTo(content);
    }

    static Stream<Arguments> badJson() {
        String good = new String(fileBytesForBadJson(), StandardCharsets.UTF_8);
        return Stream.of(
                Arguments.of("empty", ""),
                Arguments.of("not JSON", "hello"),
                Arguments.of("an array", "[]"),
                Arguments.of("null", "null"),
                Arguments.of("trailing garbage", good.strip() + "x"),
                Arguments.of("two objects", good.strip() + good.strip()),
                Arguments.of("duplicate key", good.replace("{\"format\":\"llmo-vault\",",
                        "{\"format\":\"llmo-vault\",\"format\":\"llmo-vault\",")),
                Arguments.of("binary", "\u0000\u0001\u0002"));
    }

    @Test
    void theStatusOfADamagedFileNamesTheProblemWithoutThrowing() throws Exception {
        Files.writeString(file, "{\"format\":\"llmo-vault\"");

        VaultStatus status = TestVaults.fast(file).status();

        assertThat(status.exists()).isTrue();
        assertThat(status.header()).isEmpty();
        assertThat(status.problem()).hasValueSatisfying(p -> assertThat(p).contains("is damaged: not valid JSON"));
    }

    @Test
    void aWriteAfterAFailedUnlockIsImpossibleAndTheFileStays() throws Exception {
        byte[] tampered = original.clone();
        tampered[tampered.length - 5] ^= 1;
        Files.write(file, tampered);
        Vault vault = TestVaults.fast(file);

        assertThatThrownBy(() -> vault.create(pw("other"))).hasMessageContaining("a vault already exists at " + file);
        assertThatThrownBy(() -> vault.unlock(pw("right"))).isInstanceOf(CredentialsException.class);
        assertThat(Files.readAllBytes(file)).isEqualTo(tampered);
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private static byte[] fileBytesForBadJson() {
        try {
            Path temp = Files.createTempDirectory("vault-badjson");
            Path file = temp.resolve("vault.enc");
            TestVaults.fast(file).create(pw("right")).close();
            return Files.readAllBytes(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Arguments edit(String name, Consumer<ObjectNode> change) {
        return Arguments.of(name, change);
    }

    private static ObjectNode kdf(ObjectNode o) {
        return (ObjectNode) o.get("kdf");
    }

    private static ObjectNode cipher(ObjectNode o) {
        return (ObjectNode) o.get("cipher");
    }

    private static String flipDecoded(String base64, int index) {
        byte[] bytes = Base64.getDecoder().decode(base64);
        bytes[index < 0 ? bytes.length + index : index] ^= 0x01;
        return Base64.getEncoder().encodeToString(bytes);
    }

    private static String dropDecoded(String base64, int count) {
        byte[] bytes = Base64.getDecoder().decode(base64);
        return Base64.getEncoder().encodeToString(Arrays.copyOf(bytes, bytes.length - count));
    }

    /** 16 bytes encode to 22 characters and "=="; the last character carries 4 spare bits a decoder ignores. */
    private static String nonCanonical(String base64) {
        char last = base64.charAt(21);
        char changed = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
                .charAt("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".indexOf(last) ^ 1);
        String result = base64.substring(0, 21) + changed + base64.substring(22);
        assertThat(Base64.getDecoder().decode(result)).isEqualTo(Base64.getDecoder().decode(base64));
        return result;
    }
}
