package dev.llmo.secret;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** The ciphers and MACs {@link SunJce} hands out compute what the standards say, from SunJCE's classes. */
class SunJceTest {
    @Test
    void bothComeFromTheJdksOwnClassesNamedByLlmosProvider() throws Exception {
        assertThat(SunJce.cipher("AES/GCM/NoPadding").getProvider()).isSameAs(SunJce.provider());
        assertThat(SunJce.mac("HmacSHA256").getProvider()).isSameAs(SunJce.provider());
        // what the named classes do not have, the configured providers do
        assertThat(SunJce.cipher("AES/CBC/PKCS5Padding").getProvider().getName()).isEqualTo("SunJCE");
    }

    @Test
    void hmacSha256IsRfc4231sTestCaseTwo() throws Exception {
        Mac mac = SunJce.mac("HmacSHA256");
        mac.init(new SecretKeySpec("Jefe".getBytes(StandardCharsets.US_ASCII), "HmacSHA256"));

        byte[] tag = mac.doFinal("what do ya want for nothing?".getBytes(StandardCharsets.US_ASCII));

        assertThat(HexFormat.of().formatHex(tag))
                .isEqualTo("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }

    @Test
    void aesGcmIsTheGcmSpecsTestCaseTwo() throws Exception {
        // McGrew and Viega, "The Galois/Counter Mode of Operation", test case 2: a zero key, IV and block
        Cipher cipher = SunJce.cipher("AES/GCM/NoPadding");
        cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(new byte[16], "AES"),
                new GCMParameterSpec(128, new byte[12]));

        byte[] sealed = cipher.doFinal(new byte[16]);

        assertThat(HexFormat.of().formatHex(sealed))
                .isEqualTo("0388dace60b6a392f328c2b971b2fe78" + "ab6e47d42cec13bdf53a67b21257bddf");
    }
}
