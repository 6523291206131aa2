/**
 * The encrypted key vault ({@code vault.enc}, design.md "Vault file"): PBKDF2-HMAC-SHA256 and AES-256-GCM from the
 * JCE, atomic replacement, a sidecar lock against concurrent writers. {@link dev.llmo.vault.Vault} opens the file,
 * {@link dev.llmo.vault.UnlockedVault} reads and changes it, {@link dev.llmo.vault.VaultKeys} is the lazy,
 * unlock-once lookup that key resolution calls. Nothing here prints or prompts: passwords come from a
 * {@link dev.llmo.vault.PasswordSource} that the command line supplies.
 */
package dev.llmo.vault;
