package dev.llmo.vault;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * An open vault: its entries, and the derived key that lets it write without running PBKDF2 again.
 *
 * <p>Every change is a read-modify-write under the writer lock: the file is read again and decrypted with the
 * held key, changed, and replaced atomically, so two processes adding different entries never lose one. Not
 * thread-safe; {@link VaultKeys} is the shared, synchronized view. {@link #close()} zeroes the key.
 */
public final class UnlockedVault implements AutoCloseable {
    private final Vault vault;
    private VaultKey key;
    private VaultContents contents;
    private final boolean strengthened;

    UnlockedVault(Vault vault, VaultKey key, VaultContents contents, boolean strengthened) {
        this.vault = vault;
        this.key = key;
        this.contents = contents;
        this.strengthened = strengthened;
    }

    public Path file() {
        return vault.file();
    }

    /** Names and dates, sorted by name; never values. */
    public List<VaultEntry> entries() {
        return contents.entries();
    }

    /** The number of entries. */
    public int size() {
        return contents.secrets().size();
    }

    /** The value stored under {@code name}, if any. */
    public Optional<String> secret(String name) {
        return contents.get(name).map(VaultContents.Secret::value);
    }

    /** The HKDF context of the ledger key: changing it orphans every MAC already written. */
    public static final String LEDGER_KEY_INFO = "llmo ledger v1";

    /**
     * The key that authenticates the conversation ledger: derived from this vault's key ({@link #LEDGER_KEY_INFO}),
     * never stored; a fresh copy the caller zeroes. It changes with the vault password (a new salt, a new key).
     * Empty once the vault is closed.
     */
    public Optional<byte[]> ledgerKey() {
        return key.isDestroyed() ? Optional.empty() : Optional.of(key.derive(LEDGER_KEY_INFO));
    }

    /** The derived key, for {@link VaultSession#start}. */
    VaultKey key() {
        return key;
    }

    /** Whether unlocking re-encrypted the file at a higher PBKDF2 iteration count. */
    public boolean strengthened() {
        return strengthened;
    }

    /** The PBKDF2 iteration count of the file as it is now. */
    public int iterations() {
        return key.iterations();
    }

    /**
     * Stores {@code value} under {@code name}, replacing any old value (its creation date is kept).
     *
     * @return true when the entry is new, false when an existing one was replaced
     */
    public boolean put(String name, String value) {
        boolean[] added = new boolean[1];
        update(current -> {
            added[0] = current.get(name).isEmpty();
            return current.with(name, value, vault.now());
        });
        return added[0];
    }

    /**
     * Deletes the entry {@code name}.
     *
     * @return false when there was no such entry (the file is then left as it was)
     */
    public boolean remove(String name) {
        boolean[] removed = new boolean[1];
        update(current -> {
            removed[0] = current.get(name).isPresent();
            return removed[0] ? current.without(name) : current;
        });
        return removed[0];
    }

    /**
     * Re-encrypts everything under a new password with a fresh salt (and at least the default iteration count).
     * The new key is derived before the lock is taken, so other writers wait only for the write itself.
     */
    public void changePassword(char[] newPassword) {
        Vault.requireNewPassword(newPassword);
        VaultKey newKey = vault.newKey(newPassword, key.iterations());
        try (VaultFiles.WriterLock lock = vault.lock()) {
            VaultContents latest = vault.reread(key);
            vault.write(newKey, latest);
            contents = latest;
        } catch (RuntimeException e) {
            newKey.destroy();
            throw e;
        }
        key.destroy();
        key = newKey;
    }

    /**
     * Rewrites the file with a key derived at the current default iteration count; used by {@link Vault#unlock}
     * for files written with fewer. Best effort: on any failure the vault stays as it was and this one stays open.
     */
    Optional<UnlockedVault> strengthen(char[] password) {
        VaultKey newKey = vault.newKey(password, key.iterations());
        // A short wait: a busy vault is strengthened on a later unlock instead of delaying this one.
        try (VaultFiles.WriterLock lock = vault.lock(Duration.ofSeconds(1))) {
            VaultContents latest = vault.reread(key);
            vault.write(newKey, latest);
            key.destroy();
            return Optional.of(new UnlockedVault(vault, newKey, latest, true));
        } catch (RuntimeException e) {
            newKey.destroy();
            return Optional.empty();
        }
    }

    private void update(UnaryOperator<VaultContents> change) {
        try (VaultFiles.WriterLock lock = vault.lock()) {
            VaultContents latest = vault.reread(key);
            VaultContents changed = change.apply(latest);
            if (changed != latest) {
                vault.write(key, changed);
            }
            contents = changed;
        }
    }

    /** Zeroes the key; the entries already read stay readable, writes are no longer possible. */
    @Override
    public void close() {
        key.destroy();
    }

    @Override
    public String toString() {
        return "UnlockedVault[" + vault.file() + ", " + contents.secrets().size() + " entries]";
    }
}
