package dev.llmo.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** llmo's own PBKDF2-HMAC-SHA256 gives exactly the published vectors and what the JDK computes. */
class Pbkdf2Test {

    /**
     * RFC 7914 section 11 (the two PBKDF2-HMAC-SHA256 vectors) and the widely used RFC 6070-style vectors for
     * SHA-256, including 40- and 16-byte outputs (a partial last block) and NUL bytes in password and salt.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "passwd|salt|1|64|55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783",
        "Password|NaCl|80000|64|4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d",
        "password|salt|1|32|120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b",
        "password|salt|2|32|ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43",
        "password|salt|4096|32|c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a",
        "passwordPASSWORDpassword|saltSALTsaltSALTsaltSALTsaltSALTsalt|4096|40|348c89dbcbd32b2f32d814b8116e84cf2b17347ebc1800181c4e2a1fb8dd53e1c635518c7dac47e9",
        "pass\\0word|sa\\0lt|4096|16|89b69d0516f829893c696226650a8687",
    })
    void publishedVectors(String password, String salt, int iterations, int length, String expectedHex) {
        byte[] key = Pbkdf2.derive(bytes(password), bytes(salt), iterations, length);

        assertThat(HexFormat.of().formatHex(key)).isEqualTo(expectedHex);
    }

    @Test
    void sameAsTheJdkForPasswordsOfEveryLengthAndScript() throws Exception {
        Random random = new Random(15);
        String[] passwords = {"x", "correct horse battery staple", "pässwörd ✓ 密码 🔑",
            "a".repeat(63), "b".repeat(64), "c".repeat(65), "d".repeat(200)};
        for (String password : passwords) {
            for (int saltLength : new int[] {16, 55, 56, 64, 120}) {
                byte[] salt = new byte[saltLength];
                random.nextBytes(salt);
                int iterations = 1 + random.nextInt(3000);
                byte[] jdk = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                        .generateSecret(new PBEKeySpec(password.toCharArray(), salt, iterations, 256)).getEncoded();

                assertThat(Pbkdf2.deriveUtf8(password.toCharArray(), salt, iterations, 32))
                        .as("%s, %d-byte salt, %d iterations", password, saltLength, iterations).isEqualTo(jdk);
            }
        }
    }

    @Test
    void theVaultsIterationCountGivesWhatAnotherImplementationGives() {
        byte[] salt = HexFormat.of().parseHex("bd03d81b8afad4a292ec52b74b887e98");
        // Python's hashlib.pbkdf2_hmac('sha256', b'pw', salt, 600000): the JDK's own takes 5 s at the tests' C1
        byte[] expected = HexFormat.of().parseHex("f7c82d4c8a1e5bd10eb2a371b7570dd263955bffc3ea5915d2d03fd966db1fe4");

        assertThat(Vault.DEFAULT_ITERATIONS).isEqualTo(600_000);
        assertThat(Pbkdf2.deriveUtf8("pw".toCharArray(), salt, Vault.DEFAULT_ITERATIONS, 32)).isEqualTo(expected);
    }

    @Test
    void refusesNonPositiveParameters() {
        assertThatThrownBy(() -> Pbkdf2.derive(bytes("p"), bytes("s"), 0, 32)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Pbkdf2.derive(bytes("p"), bytes("s"), 1, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    private static byte[] bytes(String text) {
        return text.replace("\\0", "\0").getBytes(StandardCharsets.UTF_8);
    }
}
