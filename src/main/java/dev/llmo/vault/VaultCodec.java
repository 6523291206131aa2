package dev.llmo.vault;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmo.failure.CredentialsException;
import dev.llmo.json.JsonTrees;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;

/**
 * The bytes of {@code vault.enc} (design.md "Vault file", docs/usage/vault-format.md): parsing and writing the JSON
 * envelope, the canonical header used as AAD, PBKDF2 and AES-GCM through the JCE, and the plaintext JSON.
 *
 * <p>Every field the reader does not know is still authenticated: the AAD is computed from the parsed file minus
 * {@code ciphertext}, not from the fields this version understands, so nothing can be added, removed or changed
 * without failing the tag.
 */
final class VaultCodec {
    static final String FORMAT = "llmo-vault";
    static final int VERSION = 1;
    static final String KDF = "PBKDF2-HMAC-SHA256";
    static final String CIPHER = "AES-256-GCM";
    static final int SALT_BYTES = 16;
    static final int NONCE_BYTES = 12;
    static final int TAG_BYTES = 16;
    static final int KEY_BYTES = 32;
    /** The lowest count a file may claim; tests write 1,000, the CLI never fewer than {@link Vault#DEFAULT_ITERATIONS}. */
    static final int MIN_ITERATIONS = 1_000;
    /** A changed header must not make unlock run for hours before failing; this is minutes at most. */
    static final int MAX_ITERATIONS = 100_000_000;
    private static final int MAX_SALT_BYTES = 1024;

    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    /**
     * A repeated name and anything after the document are refused; trees are read with jackson-core alone: a
     * mapper cost a run whose key is in the vault ~300 classes (ADR-003, "Eleventh round").
     */
    private static final JsonTrees.Reading READING = new JsonTrees.Reading(JSON, JsonTrees.Floats.DOUBLE, true);

    private VaultCodec() {
    }

    /** A parsed vault file: its header, the exact AAD bytes and the ciphertext with its tag. */
    record Sealed(VaultHeader header, byte[] salt, byte[] nonce, byte[] aad, byte[] ciphertext) {
    }

    // ---- the envelope ------------------------------------------------------------------------------------------

    /** Parses and checks a vault file; anything malformed is reported as a damaged vault (exit 4). */
    static Sealed parse(byte[] bytes, Path file) {
        JsonNode root;
        try {
            root = READING.read(bytes);
        } catch (IOException e) {
            throw VaultErrors.damaged(file, "not valid JSON (" + jsonProblem(e) + ")");
        }
        if (root == null || !root.isObject()) {
            throw VaultErrors.damaged(file, bytes.length == 0 ? "the file is empty" : "not a JSON object");
        }
        ObjectNode object = (ObjectNode) root;
        String format = text(object, "format", file);
        if (!FORMAT.equals(format)) {
            throw VaultErrors.damaged(file, "format is '" + format + "', expected '" + FORMAT + "'");
        }
        int version = integer(object, "version", file);
        if (version != VERSION) {
            if (version > VERSION) {
                throw new CredentialsException("the vault " + file + " has format version " + version
                        + ", newer than this llmo understands (" + VERSION + ")", "upgrade llmo");
            }
            throw VaultErrors.damaged(file, "unknown format version " + version);
        }
        ObjectNode kdf = object(object, "kdf", file);
        String kdfName = text(kdf, "name", file);
        if (!KDF.equals(kdfName)) {
            throw VaultErrors.damaged(file, "unsupported kdf '" + kdfName + "', expected '" + KDF + "'");
        }
        int iterations = integer(kdf, "iterations", file);
        if (iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
            throw VaultErrors.damaged(file, "kdf iterations " + iterations + " out of range (" + MIN_ITERATIONS + " to "
                    + MAX_ITERATIONS + ")");
        }
        byte[] salt = base64(kdf, "salt", file);
        if (salt.length < SALT_BYTES || salt.length > MAX_SALT_BYTES) {
            throw VaultErrors.damaged(file, "the salt has " + salt.length + " bytes, expected " + SALT_BYTES + " or more");
        }
        ObjectNode cipher = object(object, "cipher", file);
        String cipherName = text(cipher, "name", file);
        if (!CIPHER.equals(cipherName)) {
            throw VaultErrors.damaged(file, "unsupported cipher '" + cipherName + "', expected '" + CIPHER + "'");
        }
        byte[] nonce = base64(cipher, "nonce", file);
        if (nonce.length != NONCE_BYTES) {
            throw VaultErrors.damaged(file, "the nonce has " + nonce.length + " bytes, expected " + NONCE_BYTES);
        }
        byte[] ciphertext = base64(object, "ciphertext", file);
        if (ciphertext.length < TAG_BYTES) {
            throw VaultErrors.damaged(file, "the ciphertext is shorter than its " + TAG_BYTES + "-byte tag");
        }
        ObjectNode header = object.deepCopy();
        header.remove("ciphertext");
        VaultHeader summary = new VaultHeader(version, kdfName, iterations, salt.length, cipherName);
        return new Sealed(summary, salt, nonce, canonical(header), ciphertext);
    }

    /** The file bytes for a new write: the documented field order, compact, one trailing newline. */
    static byte[] seal(VaultKey key, byte[] nonce, byte[] plaintext) {
        ObjectNode header = header(key.salt(), key.iterations(), nonce);
        byte[] ciphertext = crypt(Cipher.ENCRYPT_MODE, key, nonce, canonical(header), plaintext);
        header.put("ciphertext", Base64.getEncoder().encodeToString(ciphertext));
        byte[] json = JsonTrees.writeBytes(JSON, header);
        byte[] file = Arrays.copyOf(json, json.length + 1);
        file[json.length] = '\n';
        return file;
    }

    /** Decrypts and authenticates; a wrong key and a changed byte fail alike. The caller wipes the result. */
    static byte[] open(Sealed sealed, VaultKey key, Path file) {
        try {
            return crypt(Cipher.DECRYPT_MODE, key, sealed.nonce(), sealed.aad(), sealed.ciphertext());
        } catch (BadTag e) {
            throw VaultErrors.wrongPassword(file);
        }
    }

    static ObjectNode header(byte[] salt, int iterations, byte[] nonce) {
        Base64.Encoder b64 = Base64.getEncoder();
        ObjectNode header = JsonNodeFactory.instance.objectNode();
        header.put("format", FORMAT);
        header.put("version", VERSION);
        ObjectNode kdf = header.putObject("kdf");
        kdf.put("name", KDF);
        kdf.put("iterations", iterations);
        kdf.put("salt", b64.encodeToString(salt));
        ObjectNode cipher = header.putObject("cipher");
        cipher.put("name", CIPHER);
        cipher.put("nonce", b64.encodeToString(nonce));
        return header;
    }

    /** Canonical JSON: object keys sorted (by UTF-16 code units, as RFC 8785), no whitespace, UTF-8. */
    static byte[] canonical(JsonNode node) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator generator = JSON.createGenerator(out)) {
            writeCanonical(generator, node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void writeCanonical(JsonGenerator generator, JsonNode node) throws IOException {
        if (node.isObject()) {
            List<String> names = new ArrayList<>();
            node.fieldNames().forEachRemaining(names::add);
            names.sort(null);
            generator.writeStartObject();
            for (String name : names) {
                generator.writeFieldName(name);
                writeCanonical(generator, node.get(name));
            }
            generator.writeEndObject();
        } else if (node.isArray()) {
            generator.writeStartArray();
            for (JsonNode element : node) {
                writeCanonical(generator, element);
            }
            generator.writeEndArray();
        } else {
            JsonTrees.write(generator, node);
        }
    }

    // ---- cryptography ------------------------------------------------------------------------------------------

    /**
     * PBKDF2-HMAC-SHA256 over the password's UTF-8 bytes (what the JCE's PBKDF2WithHmacSHA256 computes), by
     * {@link Pbkdf2}: the JCE's takes seconds under the launcher's C1-only JIT.
     */
    static VaultKey derive(char[] password, byte[] salt, int iterations) {
        return new VaultKey(Pbkdf2.deriveUtf8(password, salt, iterations, KEY_BYTES), salt, iterations);
    }

    private static byte[] crypt(int mode, VaultKey key, byte[] nonce, byte[] aad, byte[] input) {
        try {
            Cipher cipher = dev.llmo.secret.JdkCrypto.cipher("AES/GCM/NoPadding");
            // the nonce is given, so the cipher draws nothing from this random: named, it keeps the JCE from making
            // its default one, which sets up the SUN provider (~10 ms of CPU; ADR-003, "Twenty-first round")
            cipher.init(mode, key.spec(), new GCMParameterSpec(TAG_BYTES * 8, nonce),
                    dev.llmo.secret.JdkCrypto.random());
            cipher.updateAAD(aad);
            return cipher.doFinal(input);
        } catch (AEADBadTagException e) {
            throw new BadTag();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this Java runtime lacks AES/GCM/NoPadding", e);
        }
    }

    /** Internal signal: authentication failed. Carries nothing, so no key material can leak through it. */
    private static final class BadTag extends RuntimeException {
        BadTag() {
            super(null, null, false, false);
        }
    }

    // ---- the plaintext -----------------------------------------------------------------------------------------

    /** {@code {"secrets":{"NAME":{"value":…,"created":…,"updated":…}}}}; the caller wipes the result. */
    static byte[] encodeContents(VaultContents contents) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        ObjectNode secrets = root.putObject("secrets");
        contents.secrets().forEach((name, secret) -> {
            ObjectNode entry = secrets.putObject(name);
            entry.put("value", secret.value());
            entry.put("created", secret.created().toString());
            entry.put("updated", secret.updated().toString());
        });
        WipeableBytes out = new WipeableBytes();
        try (JsonGenerator generator = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            JsonTrees.write(generator, root);
            generator.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            out.wipe();
        }
    }

    /**
     * Reads the decrypted plaintext. Its parse errors never carry Jackson's message or cause: those quote the
     * input, which holds secrets.
     */
    static VaultContents decodeContents(byte[] plaintext, Path file) {
        JsonNode root;
        try {
            root = READING.read(plaintext);
        } catch (IOException e) {
            throw VaultErrors.damaged(file, "the decrypted contents are not valid JSON");
        }
        JsonNode secrets = root == null ? null : root.get("secrets");
        if (secrets == null || !secrets.isObject()) {
            throw VaultErrors.damaged(file, "the decrypted contents have no 'secrets' object");
        }
        Map<String, VaultContents.Secret> map = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = secrets.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            JsonNode entry = field.getValue();
            JsonNode value = entry.get("value");
            if (!entry.isObject() || value == null || !value.isTextual()) {
                throw VaultErrors.damaged(file, "the entry '" + field.getKey() + "' has no text 'value'");
            }
            map.put(field.getKey(), new VaultContents.Secret(value.textValue(), instant(entry, "created", field.getKey(), file),
                    instant(entry, "updated", field.getKey(), file)));
        }
        return new VaultContents(map);
    }

    private static Instant instant(JsonNode entry, String field, String name, Path file) {
        JsonNode node = entry.get(field);
        try {
            return instant(node.textValue());
        } catch (NullPointerException | DateTimeParseException e) {
            throw VaultErrors.damaged(file, "the entry '" + name + "' has no RFC 3339 '" + field + "' date");
        }
    }

    /**
     * An RFC 3339 date. The form llmo writes ({@link Instant#toString}: UTC, {@code Z}, up to nine digits of fraction) is
     * read here, without the JDK's formatters, whose set-up (~4 ms of CPU) was on the critical path of a run that takes
     * its key from a vault session (ADR-003, "Twenty-second round"); any other form is read by
     * {@link OffsetDateTime#parse}, which also says what is wrong.
     */
    static Instant instant(String text) {
        Instant utc = utc(text);
        return utc != null ? utc : OffsetDateTime.parse(text).toInstant();
    }

    /** {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}]Z} with every field in range, or null. */
    private static Instant utc(String text) {
        int length = text.length();
        if (length < 20 || length == 21 || length > 30 || text.charAt(length - 1) != 'Z' || text.charAt(4) != '-'
                || text.charAt(7) != '-' || text.charAt(10) != 'T' || text.charAt(13) != ':' || text.charAt(16) != ':'
                || length > 20 && text.charAt(19) != '.') {
            return null;
        }
        int year = digits(text, 0, 4);
        int month = digits(text, 5, 2);
        int day = digits(text, 8, 2);
        int hour = digits(text, 11, 2);
        int minute = digits(text, 14, 2);
        int second = digits(text, 17, 2);
        int fraction = length > 20 ? digits(text, 20, length - 21) : 0;
        if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0 || fraction < 0) {
            return null;
        }
        for (int scale = length > 20 ? length - 21 : 9; scale < 9; scale++) {
            fraction *= 10;
        }
        try {
            return java.time.LocalDateTime.of(year, month, day, hour, minute, second, fraction)
                    .toInstant(java.time.ZoneOffset.UTC);
        } catch (java.time.DateTimeException e) {
            return null; // out of range: the formatter's reading says why
        }
    }

    /** The value of {@code count} ASCII digits at {@code from}, or -1. */
    private static int digits(String text, int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    // ---- field helpers -----------------------------------------------------------------------------------------

    private static String text(JsonNode parent, String field, Path file) {
        JsonNode node = parent.get(field);
        if (node == null || !node.isTextual()) {
            throw VaultErrors.damaged(file, "'" + field + "' is missing or not a string");
        }
        return node.textValue();
    }

    private static int integer(JsonNode parent, String field, Path file) {
        JsonNode node = parent.get(field);
        if (node == null || !node.isIntegralNumber() || !node.canConvertToInt()) {
            throw VaultErrors.damaged(file, "'" + field + "' is missing or not an integer");
        }
        return node.intValue();
    }

    private static ObjectNode object(ObjectNode parent, String field, Path file) {
        JsonNode node = parent.get(field);
        if (node == null || !node.isObject()) {
            throw VaultErrors.damaged(file, "'" + field + "' is missing or not an object");
        }
        return (ObjectNode) node;
    }

    /**
     * Standard base64 with padding, and only its canonical spelling: a decoder ignores the spare low bits of the
     * last character, so without the round-trip check a changed bit there would go unnoticed.
     */
    private static byte[] base64(JsonNode parent, String field, Path file) {
        String text = text(parent, field, file);
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw VaultErrors.damaged(file, "'" + field + "' is not valid base64");
        }
        if (!Base64.getEncoder().encodeToString(bytes).equals(text)) {
            throw VaultErrors.damaged(file, "'" + field + "' is not canonical base64");
        }
        return bytes;
    }

    private static String jsonProblem(IOException e) {
        if (e instanceof JsonProcessingException json) {
            var location = json.getLocation();
            String where = location == null ? "" : " at byte " + location.getByteOffset();
            return dev.llmo.json.JsonErrors.reason(json) + where;
        }
        return e.getClass().getSimpleName();
    }

    /** A byte buffer whose backing array can be zeroed once the plaintext has been copied out. */
    static final class WipeableBytes extends ByteArrayOutputStream {
        void wipe() {
            Arrays.fill(buf, (byte) 0);
            count = 0;
        }
    }
}
