/**
 * Secrets as values that cannot leak by accident ({@code ApiKey}: its {@code toString()} never shows the key), and the
 * JDK's digests, ciphers, MACs and random bytes that keys are used with ({@code JdkCrypto}). A leaf: depends on nothing, so every layer that
 * handles a key can use it.
 */
package dev.llmo.secret;
