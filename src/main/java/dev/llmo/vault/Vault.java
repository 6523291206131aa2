package dev.llmo.vault;

import dev.llmo.failure.CredentialsException;
import dev.llmo.failure.LlmoException;
import dev.llmo.failure.UsageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * The vault file at one path: create it, unlock it, or describe it without the password. Every write goes through
 * an {@link UnlockedVault}, which holds the derived key so that no operation runs PBKDF2 twice.
 *
 * <p>Passwords are {@code char[]} owned by the caller, who zeroes them; this class never keeps one.
 */
public final class Vault {
    /** The PBKDF2 iteration count every vault written by llmo has at least (OWASP 2023 for PBKDF2-HMAC-SHA256). */
    public static final int DEFAULT_ITERATIONS = 600_000;
    static final Duration LOCK_TIMEOUT = Duration.ofSeconds(10);

    private final Path file;
    private final int iterations;
    /** A test's own, or null for {@link Randomness#SHARED}. */
    private final SecureRandom random;
    private final Clock clock;

    /** The vault at {@code file}, written with {@link #DEFAULT_ITERATIONS}. */
    public Vault(Path file) {
        this(file, DEFAULT_ITERATIONS, null, Clock.systemUTC());
    }

    /**
     * The vault at {@code file}, written with {@code iterations} (at least the format's minimum): for in-process
     * tests, which the full count would slow by a second per derivation; the command line passes the default.
     */
    public static Vault withIterations(Path file, int iterations) {
        return new Vault(file, iterations, null, Clock.systemUTC());
    }

    /**
     * For tests: fewer iterations keep them fast; the command line always uses the public constructor. {@code random}
     * null takes the process's generator.
     */
    Vault(Path file, int iterations, SecureRandom random, Clock clock) {
        this.file = file.toAbsolutePath();
        if (iterations < VaultCodec.MIN_ITERATIONS) {
            throw new IllegalArgumentException("iterations below " + VaultCodec.MIN_ITERATIONS);
        }
        this.iterations = iterations;
        this.random = random;
        this.clock = Objects.requireNonNull(clock);
    }

    public Path file() {
        return file;
    }

    public boolean exists() {
        return Files.exists(file);
    }

    /**
     * Checks there is a vault to unlock, before anyone is asked for its password.
     *
     * @throws CredentialsException naming {@code llmo vault init} when there is none (exit 4)
     */
    public void requireExists() {
        if (!exists()) {
            throw VaultErrors.missing(file);
        }
    }

    /**
     * Checks that {@link #create} can succeed, before anyone is asked to choose a password.
     *
     * @throws UsageException when a vault already exists (exit 2)
     */
    public void requireAbsent() {
        if (exists()) {
            throw new UsageException("a vault already exists at " + file,
                    "change its password with 'llmo vault passwd'; to start over, move the file away first");
        }
    }

    /** The iteration count new keys are derived with. */
    int iterations() {
        return iterations;
    }

    /** Describes the file without unlocking it: never needs the password, never throws for a damaged file. */
    public VaultStatus status() {
        Optional<byte[]> bytes;
        long size;
        Instant modified;
        try {
            size = Files.size(file);
            modified = Files.getLastModifiedTime(file).toInstant();
            bytes = VaultFiles.read(file);
        } catch (NoSuchFileException e) {
            return new VaultStatus(file, false, 0, Optional.empty(), Optional.empty(), Optional.empty(),
                    Optional.empty());
        } catch (IOException | LlmoException e) {
            return new VaultStatus(file, true, 0, Optional.empty(), Optional.empty(), Optional.empty(),
                    Optional.of(e.getMessage()));
        }
        if (bytes.isEmpty()) {
            return new VaultStatus(file, false, 0, Optional.empty(), Optional.empty(), Optional.empty(),
                    Optional.empty());
        }
        Optional<VaultHeader> header = Optional.empty();
        Optional<String> problem = Optional.empty();
        try {
            header = Optional.of(VaultCodec.parse(bytes.get(), file).header());
        } catch (LlmoException e) {
            problem = Optional.of(e.getMessage());
        }
        return new VaultStatus(file, true, size, Optional.of(modified), VaultFiles.permissions(file), header,
                problem);
    }

    /**
     * Creates an empty vault protected by {@code password}.
     *
     * @throws UsageException when a vault already exists there (it is never overwritten)
     */
    public UnlockedVault create(char[] password) {
        requireNewPassword(password);
        byte[] salt = new byte[VaultCodec.SALT_BYTES];
        random().nextBytes(salt);
        VaultKey key = VaultCodec.derive(password, salt, iterations);
        try (VaultFiles.WriterLock lock = VaultFiles.lock(file, LOCK_TIMEOUT)) {
            requireAbsent();
            write(key, VaultContents.EMPTY);
        } catch (RuntimeException e) {
            key.destroy();
            throw e;
        }
        return new UnlockedVault(this, key, VaultContents.EMPTY, false);
    }

    /**
     * Unlocks the vault: one PBKDF2 run, then AES-GCM authentication of the whole file. When the file's iteration
     * count is below the current default it is re-encrypted with a fresh salt at the default (a second PBKDF2
     * run, once); if that rewrite cannot be done now (busy, read-only) the vault still opens.
     *
     * @throws dev.llmo.failure.CredentialsException no vault, a wrong password, or a changed or damaged file (exit 4)
     */
    public UnlockedVault unlock(char[] password) {
        if (password == null || password.length == 0) {
            throw new CredentialsException("no password given for the vault " + file,
                    "type the vault password, or set LLMO_VAULT_PASSWORD");
        }
        byte[] bytes = VaultFiles.read(file).orElseThrow(() -> VaultErrors.missing(file));
        VaultCodec.Sealed sealed = VaultCodec.parse(bytes, file);
        VaultKey key = VaultCodec.derive(password, sealed.salt(), sealed.header().iterations());
        VaultContents contents;
        try {
            contents = decrypt(sealed, key);
        } catch (RuntimeException e) {
            key.destroy();
            throw e;
        }
        UnlockedVault unlocked = new UnlockedVault(this, key, contents, false);
        if (sealed.header().iterations() < iterations) {
            return unlocked.strengthen(password).orElse(unlocked);
        }
        return unlocked;
    }

    /**
     * Opens the vault with the key an unlocked session holds: no password, no PBKDF2. Empty when the session has
     * ended or its key is not this file's (another vault, or the password changed since), so that the caller asks
     * for the password as it would without a session.
     *
     * @throws dev.llmo.failure.CredentialsException a damaged file (exit 4)
     */
    public Optional<UnlockedVault> unlock(VaultSession session) {
        Optional<VaultKey> held = session.key();
        if (held.isEmpty()) {
            return Optional.empty();
        }
        VaultKey key = held.get();
        Optional<byte[]> bytes = VaultFiles.read(file);
        if (bytes.isEmpty()) {
            key.destroy();
            return Optional.empty();
        }
        VaultCodec.Sealed sealed = VaultCodec.parse(bytes.get(), file);
        if (!key.derivedWith(sealed.salt(), sealed.header().iterations())) {
            key.destroy();
            return Optional.empty();
        }
        try {
            return Optional.of(new UnlockedVault(this, key, decrypt(sealed, key), false));
        } catch (CredentialsException e) {
            // the tag failed under the session's key: same salt, another password; ask for it
            key.destroy();
            return Optional.empty();
        }
    }

    // ---- shared with UnlockedVault -----------------------------------------------------------------------------

    VaultKey newKey(char[] password, int atLeastIterations) {
        byte[] salt = new byte[VaultCodec.SALT_BYTES];
        random().nextBytes(salt);
        return VaultCodec.derive(password, salt, Math.max(iterations, atLeastIterations));
    }

    /** Reads the current file and decrypts it with an already derived key (no PBKDF2). Call with the lock held. */
    VaultContents reread(VaultKey key) {
        byte[] bytes = VaultFiles.read(file).orElseThrow(() -> VaultErrors.missing(file));
        VaultCodec.Sealed sealed = VaultCodec.parse(bytes, file);
        if (!key.derivedWith(sealed.salt(), sealed.header().iterations())) {
            throw VaultErrors.passwordChangedMeanwhile(file);
        }
        return decrypt(sealed, key);
    }

    /** Encrypts with a fresh nonce and replaces the file. Call with the lock held. */
    void write(VaultKey key, VaultContents contents) {
        byte[] nonce = new byte[VaultCodec.NONCE_BYTES];
        random().nextBytes(nonce);
        byte[] plaintext = VaultCodec.encodeContents(contents);
        try {
            VaultFiles.writeAtomically(file, VaultCodec.seal(key, nonce, plaintext), random());
        } finally {
            Arrays.fill(plaintext, (byte) 0);
        }
    }

    VaultFiles.WriterLock lock() {
        return VaultFiles.lock(file, LOCK_TIMEOUT);
    }

    VaultFiles.WriterLock lock(Duration timeout) {
        return VaultFiles.lock(file, timeout);
    }

    Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.SECONDS);
    }

    private VaultContents decrypt(VaultCodec.Sealed sealed, VaultKey key) {
        byte[] plaintext = VaultCodec.open(sealed, key, file);
        try {
            return VaultCodec.decodeContents(plaintext, file);
        } finally {
            Arrays.fill(plaintext, (byte) 0);
        }
    }

    static void requireNewPassword(char[] password) {
        if (password == null || password.length == 0) {
            throw new UsageException("the vault password is empty", "choose a non-empty password");
        }
    }

    @Override
    public String toString() {
        return "Vault[" + file + "]";
    }

    private SecureRandom random() {
        return random != null ? random : Randomness.SHARED;
    }

    /**
     * The process's generator, made on first use: every model call resolves its key through a vault that it only reads
     * (or that does not exist), and seeding a generator cost that call ~4 ms before its request was sent.
     */
    private static final class Randomness {
        static final SecureRandom SHARED = dev.llmo.secret.JdkCrypto.random();
    }
}
