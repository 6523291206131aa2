package dev.llmo.secret;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.SecureRandomSpi;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.NoSuchPaddingException;

/**
 * SHA-256, AES-GCM, HMAC-SHA256 and random bytes without the JCA's provider list. Asked for by algorithm, or by a
 * provider's name, the JCA sets up the configured providers in turn until one has it: SUN first, which registers its
 * ~200 services and their OIDs (~10 ms of CPU in the interpreter before a run's first event can be hashed), then
 * SunRsaSign, SunEC with its curve tables and SunJSSE before SunJCE, which registers ~100 services of its own (~30 ms
 * of CPU in a run that opens the vault with its session's key). ADR-003, "Seventeenth round" and "Twentieth round".
 * <ul>
 *   <li>{@link #sha256()}, {@link #cipher} and {@link #mac} are the JDK's own classes (SUN's and SunJCE's), named to
 *   the JCA by a provider of llmo's that holds only their names: {@code Provider.Service} instantiates them from
 *   java.base, so no export is needed, and they are the very classes those providers would have handed out. Where
 *   they cannot serve (another runtime's internals, a JCA that insists on signed providers, a FIPS set-up), the
 *   configured providers do.</li>
 *   <li>{@link #random()} reads the kernel's random source, {@code /dev/urandom}, as the JDK's NativePRNG does
 *   (which also mixes in a SHA1PRNG of the SUN provider); where there is none (Windows), the JDK's default
 *   {@code SecureRandom}.</li>
 * </ul>
 * Where they serve, a provider order an administrator configured in {@code java.security} is not consulted for these
 * algorithms.
 */
public final class JdkCrypto {
    /**
     * The JDK's own classes of the few algorithms llmo uses, by name: SHA-256 (SUN's), AES-GCM and HMAC (SunJCE's), and
     * the NativePRNG the JDK's Unix-domain sockets ask for (SUN's).
     */
    static final Provider JDK_CLASSES = new NamedClasses();
    private static final String URANDOM = "/dev/urandom";

    private JdkCrypto() {
    }

    /** A new SHA-256 digest. */
    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256", JDK_CLASSES);
        } catch (NoSuchAlgorithmException | RuntimeException e) {
            try {
                return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException none) {
                throw new IllegalStateException("every Java runtime has SHA-256", none);
            }
        }
    }

    /** {@code Cipher.getInstance(transformation)}, from SunJCE's class when it can be reached. */
    public static Cipher cipher(String transformation) throws GeneralSecurityException {
        presetHttpHandler();
        try {
            return Cipher.getInstance(transformation, JDK_CLASSES);
        } catch (NoSuchAlgorithmException | NoSuchPaddingException | SecurityException e) {
            // not one of the named classes, or not allowed from this provider: the configured order finds another
        }
        return Cipher.getInstance(transformation);
    }

    /**
     * {@code Mac.getInstance(algorithm)}, from SunJCE's class when it can be reached. That class asks the JCA for its
     * digest by name as it is made: it is made while this thread sees only the named classes, or the JCA would set up
     * SUN to hand out the same SHA-256 (~10 ms of CPU at the end of a run that records to a vault's ledger; ADR-003,
     * "Twenty-first round").
     */
    public static Mac mac(String algorithm) throws GeneralSecurityException {
        presetHttpHandler();
        Mac[] made = new Mac[1];
        ThreadProviders.run(new Provider[] {JDK_CLASSES}, new Runnable() { // not a lambda: start-up path (ADR-003)
            @Override
            public void run() {
                try {
                    made[0] = Mac.getInstance(algorithm, JDK_CLASSES);
                } catch (NoSuchAlgorithmException | SecurityException e) {
                    // not one of the named classes, or not allowed from this provider: the configured order finds one
                }
            }
        });
        return made[0] != null ? made[0] : Mac.getInstance(algorithm);
    }

    /**
     * Spares the JCE's set-up a pass over every jar on the class path. The set-up makes an {@code http:} URL (a
     * sentinel), and the JDK looks for that protocol's handler among the class path's services before it takes its own,
     * opening each jar on the way: the binary's ~5,300 entries, read in the interpreter (~10 ms of CPU in a run that
     * opens the vault; ADR-003, "Twenty-sixth round"). A factory that hands out the JDK's own handler for {@code http}
     * (the one that lookup ends with: a single binary has no such service) and nothing for any other protocol ends the
     * lookup before it starts. The handler's class is internal: the jar's manifest exports its package to the commands
     * that call models. Without the export, or where a factory is set already, nothing changes. Once per process,
     * before the JCE is first used.
     */
    public static synchronized void presetHttpHandler() {
        // the whole of it under the lock: a second thread (the start-up's warm-up, a vault's) waits until it is done
        // instead of setting up the JCE before the handler is there
        if (httpHandlerPreset) {
            return;
        }
        httpHandlerPreset = true;
        java.net.URLStreamHandler http;
        try {
            http = (java.net.URLStreamHandler) Class.forName("sun.net.www.protocol.http.Handler").getConstructor()
                    .newInstance();
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return; // not exported, or another runtime's internals: the JDK looks the handler up as it would have
        }
        try {
            java.net.URL.setURLStreamHandlerFactory(new HttpOnly(http));
        } catch (RuntimeException e) {
            // not allowed here (a security manager): as it would have
        } catch (Error e) {
            if (e instanceof VirtualMachineError fatal) {
                throw fatal;
            }
            // a factory was set already (the JDK allows one): it decides, as it would have
        }
    }

    private static boolean httpHandlerPreset;

    /** The JDK's own {@code http} handler, and nothing for any other protocol (which the JDK then finds as before). */
    private static final class HttpOnly implements java.net.URLStreamHandlerFactory {
        private final java.net.URLStreamHandler http;

        HttpOnly(java.net.URLStreamHandler http) {
            this.http = http;
        }

        @Override
        public java.net.URLStreamHandler createURLStreamHandler(String protocol) {
            return "http".equalsIgnoreCase(protocol) ? http : null;
        }
    }

    /**
     * Sets up the JDK's Unix-domain sockets (a vault session's connection to its agent), whose class seeds a
     * {@code SecureRandom.getInstance("NativePRNGNonBlocking")} when it is first used: asked for it, the JCA would set
     * up SUN (~10 ms of CPU on the session's thread, ADR-003, "Twenty-first round") to hand out the class named here,
     * which this thread is given instead. Once per process; without the JDK's export, as it is.
     */
    public static void setUpUnixDomainSockets() {
        if (unixDomainSockets) {
            return;
        }
        ThreadProviders.run(new Provider[] {JDK_CLASSES}, new Runnable() { // not a lambda: start-up path (ADR-003)
            @Override
            public void run() {
                try {
                    Class.forName("sun.nio.ch.UnixDomainSockets", true, null);
                } catch (ClassNotFoundException | LinkageError e) {
                    // another runtime's internals: its sockets set themselves up when first used
                }
            }
        });
        unixDomainSockets = true;
    }

    private static volatile boolean unixDomainSockets;

    /** The process's cryptographically strong source of random bytes, for ids and salts; safe for any thread. */
    public static SecureRandom random() {
        return RandomHolder.RANDOM;
    }

    private static final class RandomHolder {
        static final SecureRandom RANDOM = open();

        private static SecureRandom open() {
            try {
                return new KernelRandom(new FileInputStream(URANDOM));
            } catch (IOException | SecurityException e) {
                return new SecureRandom();
            }
        }
    }

    private static final class NamedClasses extends Provider {
        private static final long serialVersionUID = 1L;

        NamedClasses() {
            super("llmo-jdk", "1", "the JDK's own classes of SHA-256, AES-GCM, HMAC-SHA256 and NativePRNG, named "
                    + "directly");
            putService(new Service(this, "MessageDigest", "SHA-256", "sun.security.provider.SHA2$SHA256", null,
                    null));
            putService(new Service(this, "Cipher", "AES/GCM/NoPadding",
                    "com.sun.crypto.provider.GaloisCounterMode$AESGCM", null, null));
            putService(new Service(this, "Mac", "HmacSHA256", "com.sun.crypto.provider.HmacCore$HmacSHA256", null,
                    null));
            putService(new Service(this, "SecureRandom", "NativePRNGNonBlocking",
                    "sun.security.provider.NativePRNG$NonBlocking", null, null));
        }
    }

    /** Bytes read from the kernel's random source; a supplied seed is not needed by it and is not used. */
    private static final class KernelRandom extends SecureRandom {
        private static final long serialVersionUID = 1L;

        KernelRandom(InputStream source) {
            super(new Spi(source), JDK_CLASSES);
        }
    }

    private static final class Spi extends SecureRandomSpi {
        private static final long serialVersionUID = 1L;
        private final transient InputStream source;

        Spi(InputStream source) {
            this.source = source;
        }

        @Override
        protected void engineSetSeed(byte[] seed) {
            // the kernel's pool is seeded by the kernel; a seed only supplements a generator's own, never replaces it
        }

        @Override
        protected synchronized void engineNextBytes(byte[] bytes) {
            try {
                if (source.readNBytes(bytes, 0, bytes.length) != bytes.length) {
                    throw new IOException(URANDOM + " ended");
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read random bytes from " + URANDOM, e);
            }
        }

        @Override
        protected byte[] engineGenerateSeed(int numBytes) {
            byte[] seed = new byte[numBytes];
            engineNextBytes(seed);
            return seed;
        }
    }
}
