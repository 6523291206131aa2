package dev.llmo.failure;

/**
 * The vault exists but no password can be had for it (no terminal to ask on, no {@code LLMO_VAULT_PASSWORD}, no
 * unlocked session). Apart from the other credential failures because a key it might hold may also be given another
 * way, which the message for a missing key then names beside the password (exit 4).
 */
public final class VaultLockedException extends CredentialsException {
    public VaultLockedException(String message, String fix) {
        super(message, fix);
    }
}
