package dev.llmo.vault;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The vault format implemented again from docs/usage/vault-format.md with plain JCE calls and none of llmo's
 * code: PBKDF2 written out over HmacSHA256, the canonical header spelled by hand. If llmo and this agree, the
 * documentation is enough to audit or decrypt a vault.
 */
final class IndependentVault {
    private static final ObjectMapper JSON = new ObjectMapper();

    private IndependentVault() {
    }

    /** PBKDF2-HMAC-SHA256 for one 32-byte block (RFC 8018 section 5.2 with dkLen = hLen). */
    static byte[] pbkdf2(String password, byte[] salt, int iterations) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(password.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        mac.update(salt);
        byte[] u = mac.doFinal(new byte[] {0, 0, 0, 1});
        byte[] t = u.clone();
        for (int i = 1; i < iterations; i++) {
            u = mac.doFinal(u);
            for (int j = 0; j < t.length; j++) {
                t[j] ^= u[j];
            }
        }
        return t;
    }

    /** The header without ciphertext, keys sorted, no whitespace: written out for the version 1 fields. */
    static String canonicalHeader(JsonNode file) {
        JsonNode kdf = file.get("kdf");
        JsonNode cipher = file.get("cipher");
        return "{\"cipher\":{\"name\":\"" + cipher.get("name").asText() + "\",\"nonce\":\"" + cipher.get("nonce").asText()
                + "\"},\"format\":\"" + file.get("format").asText() + "\",\"kdf\":{\"iterations\":"
                + kdf.get("iterations").asInt() + ",\"name\":\"" + kdf.get("name").asText() + "\",\"salt\":\""
                + kdf.get("salt").asText() + "\"},\"version\":" + file.get("version").asInt() + "}";
    }

    /** Decrypts a vault file's bytes; returns the plaintext JSON. */
    static String decrypt(byte[] fileBytes, String password) throws Exception {
        JsonNode file = JSON.readTree(fileBytes);
        Base64.Decoder b64 = Base64.getDecoder();
        byte[] key = pbkdf2(password, b64.decode(file.at("/kdf/salt").asText()), file.at("/kdf/iterations").asInt());
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"),
                new GCMParameterSpec(128, b64.decode(file.at("/cipher/nonce").asText())));
        cipher.updateAAD(canonicalHeader(file).getBytes(StandardCharsets.UTF_8));
        return new String(cipher.doFinal(b64.decode(file.get("ciphertext").asText())), StandardCharsets.UTF_8);
    }

    /** Writes a vault file the way another tool following the documentation would (with whitespace, any order). */
    static byte[] encrypt(String plaintextJson, String password, byte[] salt, int iterations, byte[] nonce)
            throws Exception {
        Base64.Encoder b64 = Base64.getEncoder();
        String saltText = b64.encodeToString(salt);
        String nonceText = b64.encodeToString(nonce);
        String aad = "{\"cipher\":{\"name\":\"AES-256-GCM\",\"nonce\":\"" + nonceText + "\"},\"format\":\"llmo-vault\","
                + "\"kdf\":{\"iterations\":" + iterations + ",\"name\":\"PBKDF2-HMAC-SHA256\",\"salt\":\"" + saltText
                + "\"},\"version\":1}";
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(pbkdf2(password, salt, iterations), "AES"),
                new GCMParameterSpec(128, nonce));
        cipher.updateAAD(aad.getBytes(StandardCharsets.UTF_8));
        String ciphertext = b64.encodeToString(cipher.doFinal(plaintextJson.getBytes(StandardCharsets.UTF_8)));
        return ("{\n  \"version\": 1,\n  \"ciphertext\": \"" + ciphertext + "\",\n  \"format\": \"llmo-vault\",\n"
                + "  \"cipher\": {\"nonce\": \"" + nonceText + "\", \"name\": \"AES-256-GCM\"},\n"
                + "  \"kdf\": {\"salt\": \"" + saltText + "\", \"name\": \"PBKDF2-HMAC-SHA256\", \"iterations\": "
                + iterations + "}\n}\n").getBytes(StandardCharsets.UTF_8);
    }
}
