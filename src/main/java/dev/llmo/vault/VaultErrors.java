package dev.llmo.vault;

import dev.llmo.failure.CredentialsException;
import dev.llmo.failure.FailureException;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The vault's user-facing messages in one place, so that every path to the same problem says the same thing.
 * No message ever contains a secret or a password: callers pass file names and entry names only.
 */
final class VaultErrors {
    static final String RESTORE = "restore vault.enc from a backup, or move it away and run 'llmo vault init'";

    private VaultErrors() {
    }

    static CredentialsException damaged(Path file, String what) {
        return new CredentialsException("the vault " + file + " is damaged: " + what, RESTORE);
    }

    static CredentialsException wrongPassword(Path file) {
        // AES-GCM cannot tell a wrong key from a changed byte: both fail the same authentication tag check.
        return new CredentialsException("cannot unlock the vault " + file
                + ": wrong password, or the file was modified or damaged",
                "check the password (LLMO_VAULT_PASSWORD when set); if the file was changed, " + RESTORE);
    }

    static CredentialsException missing(Path file) {
        return new CredentialsException("there is no vault at " + file, "create it with 'llmo vault init'");
    }

    static CredentialsException passwordChangedMeanwhile(Path file) {
        return new CredentialsException("the password of the vault " + file
                + " was changed by another llmo process while this one was running", "run the command again");
    }

    static FailureException io(String what, Path file, IOException e) {
        String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return new FailureException("cannot " + what + " " + file + ": " + reason,
                "check the permissions and free space of " + file.getParent(), e);
    }
}
