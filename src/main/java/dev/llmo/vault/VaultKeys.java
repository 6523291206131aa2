package dev.llmo.vault;

import dev.llmo.failure.LlmoException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * The vault as key resolution sees it: {@link #secret(String)} looks a name up, unlocking the vault on first
 * need and never again in this process (one PBKDF2 run, one password prompt). A failed unlock is remembered and
 * rethrown, so a wrong password is not asked for, or derived, twice. Thread-safe.
 *
 * <p>No vault file means no secrets, not an error: callers fall through to their own "no key" message.
 */
public final class VaultKeys implements AutoCloseable {
    private final Vault vault;
    private final PasswordSource passwords;
    private final Optional<VaultSession> session;
    private UnlockedVault unlocked;
    private LlmoException failure;
    private boolean sessionTried;

    public VaultKeys(Vault vault, PasswordSource passwords) {
        this(vault, passwords, Optional.empty());
    }

    /** With an unlocked session ({@code llmo vault unlock}): its key is tried before any password is asked for. */
    public VaultKeys(Vault vault, PasswordSource passwords, Optional<VaultSession> session) {
        this.vault = vault;
        this.passwords = passwords;
        this.session = session;
    }

    /** Where the vault is (for messages such as "not in the vault at …"). */
    public Path file() {
        return vault.file();
    }

    /**
     * The secret stored under {@code name}; empty when there is no vault file or no such entry.
     *
     * @throws dev.llmo.failure.CredentialsException the vault exists but cannot be unlocked: no password available
     *                                            (names {@value PasswordSource#ENV}), wrong password, or a
     *                                            changed or damaged file (exit 4)
     */
    public Optional<String> secret(String name) {
        return secret(name, "llmo needs " + name + " from the vault");
    }

    /** {@link #secret(String)}, saying {@code reason} when the password must be asked for. */
    public synchronized Optional<String> secret(String name, String reason) {
        if (unlocked == null && failure == null && !vault.exists()) {
            return Optional.empty();
        }
        return open(reason).secret(name);
    }

    /**
     * Opens the vault with the session's key now, when there is a session and nothing has been tried yet: a model
     * call's warm-up starts it beside the main thread (the agent's answer and the decryption, ~40 ms of a run). Never
     * asks for a password; what fails is left for the need that follows, which reports it.
     */
    public synchronized void openWithSession() {
        if (failure == null) {
            fromSession();
        }
    }

    /** Lets the next need unlock again after a failure (a chat's next turn, where the password can be retyped). */
    public synchronized void forgetFailure() {
        failure = null;
    }

    /** Whether the vault has been unlocked in this process. */
    public synchronized boolean isUnlocked() {
        return unlocked != null;
    }

    /**
     * The ledger key ({@link UnlockedVault#ledgerKey()}) when the vault is unlocked in this process; when it is not
     * and {@code unlockIfLocked}, the vault is unlocked now (with the password source, which must then not need to
     * ask). Empty when there is no vault, it cannot be unlocked, or it was closed: the ledger is then written
     * without a MAC, never failing the run that ends.
     */
    public synchronized Optional<byte[]> ledgerKey(boolean unlockIfLocked) {
        if (unlocked == null) {
            if (failure != null || !vault.exists()) {
                return Optional.empty();
            }
            if (!unlockIfLocked) {
                // an open session costs nobody a password: the ledger is sealed whenever one is at hand
                return fromSession().flatMap(UnlockedVault::ledgerKey);
            }
            try {
                open("llmo needs the vault to seal the ledger");
            } catch (LlmoException e) {
                return Optional.empty();
            }
        }
        return unlocked.ledgerKey();
    }

    /**
     * The ledger key, unlocking the vault first if needed (as {@link #secret} does); empty when there is no vault.
     *
     * @throws dev.llmo.failure.CredentialsException when the vault cannot be unlocked (exit 4)
     */
    public synchronized Optional<byte[]> ledgerKeyUnlocking() {
        if (unlocked == null && failure == null && !vault.exists()) {
            return Optional.empty();
        }
        return open("llmo needs the vault to check the ledger's MACs").ledgerKey();
    }

    /** Whether there is a vault file. */
    public boolean exists() {
        return vault.exists();
    }

    private UnlockedVault open(String reason) {
        if (failure != null) {
            throw failure;
        }
        if (unlocked == null && fromSession().isPresent()) {
            return unlocked;
        }
        if (unlocked == null) {
            char[] password = null;
            try {
                password = passwords.password(vault.file(), reason);
                unlocked = vault.unlock(password);
            } catch (dev.llmo.failure.InterruptedRunException e) {
                throw e; // a question cancelled (Ctrl-C) was not answered: the next need asks again
            } catch (LlmoException e) {
                failure = withSessionRefusal(e);
                throw failure;
            } finally {
                if (password != null) {
                    Arrays.fill(password, '\0');
                }
            }
        }
        return unlocked;
    }

    /** A locked vault's error, saying why the shell's session was not used when a refusal explains it. */
    private LlmoException withSessionRefusal(LlmoException error) {
        Optional<String> refusal = session.flatMap(VaultSession::refusal);
        if (!(error instanceof dev.llmo.failure.VaultLockedException) || refusal.isEmpty()) {
            return error;
        }
        return new dev.llmo.failure.VaultLockedException(error.getMessage() + "; the session of "
                + VaultSession.ENV + " was not used: " + refusal.get(), error.fix());
    }

    /** The vault opened with the session's key, when there is a live session for this vault file. */
    private Optional<UnlockedVault> fromSession() {
        if (unlocked == null && session.isPresent() && !sessionTried) {
            sessionTried = true;
            try {
                unlocked = vault.unlock(session.get()).orElse(null);
            } catch (LlmoException e) {
                return Optional.empty();  // a damaged file: the password path reports it
            }
        }
        return Optional.ofNullable(unlocked);
    }

    /** Zeroes the key of the unlocked vault, if any. */
    @Override
    public synchronized void close() {
        if (unlocked != null) {
            unlocked.close();
        }
    }
}
