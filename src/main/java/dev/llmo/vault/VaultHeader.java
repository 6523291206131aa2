package dev.llmo.vault;

/**
 * The readable part of a vault file: everything but the ciphertext. It holds no secret (salt and nonce are public
 * by design), so {@code llmo vault status} can show it without the password.
 *
 * @param version    the format version ({@value VaultCodec#VERSION} is the only one written)
 * @param kdf        the key derivation function, {@value VaultCodec#KDF}
 * @param iterations the PBKDF2 iteration count
 * @param saltBytes  the salt length in bytes
 * @param cipher     the cipher, {@value VaultCodec#CIPHER}
 */
public record VaultHeader(int version, String kdf, int iterations, int saltBytes, String cipher) {
}
