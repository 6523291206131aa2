package dev.llmo.provider.http;

import java.security.Provider;
import java.security.Security;

/**
 * Sets up OkHttp's platform (which every call and every client with TLS asks for) without loading every security
 * provider. OkHttp's probe asks whether the first provider is Conscrypt, BouncyCastle or OpenJSSE through {@code
 * Security.getProviders()}, which loads all the configured providers to hand back the first: a dozen (PKCS#11, smart
 * cards, SASL, LDAP...), ~20 ms of CPU that no call uses (a TLS connection loads the few it needs on its own). Here
 * the probe runs with this thread seeing only the first configured provider, through the JDK's own mechanism for
 * that (a thread's provider list, which the jar verifier uses), so it reads the same name; where that is the JDK's
 * SUN, a stand-in of another name, so that SUN is not set up for the probe either (ADR-003, "Twentieth round"). The
 * mechanism is {@link dev.llmo.secret.ThreadProviders}'s: without the JDK's export, the probe loads them all, as it
 * would have ("Fifteenth round").
 */
final class OkHttpPlatform {
    static {
        Provider first = jdkFirst() ? new StandIn() : dev.llmo.secret.ThreadProviders.firstConfigured();
        Runnable probe = new Runnable() { // not a lambda: start-up path (ADR-003, "Eighteenth round")
            @Override
            public void run() {
                okhttp3.internal.platform.Platform.Companion.get();
            }
        };
        if (first == null) {
            probe.run(); // another JDK's internals: the probe loads every provider, as it would have
        } else {
            dev.llmo.secret.ThreadProviders.run(new Provider[] {first}, probe);
        }
    }

    private OkHttpPlatform() {
    }

    /**
     * Whether the first configured provider is the JDK's SUN, which the probe would set up (its ~200 services and
     * their OIDs, ~10 ms of CPU) only to read a name that is none of the three it looks for.
     */
    private static boolean jdkFirst() {
        String first = Security.getProperty("security.provider.1");
        return first != null && (first.trim().equals("SUN") || first.trim().equals("sun.security.provider.Sun"));
    }

    /** What the probe sees in SUN's place: another name that is not one of the three, and no services. */
    private static final class StandIn extends Provider {
        private static final long serialVersionUID = 1L;

        StandIn() {
            super("llmo-probe", "1", "stands in for the JDK's SUN provider while OkHttp probes the platform");
        }
    }

    /** Set up once, by whichever thread comes first; the others wait for it, as for any class initialisation. */
    static void ready() {
        // the work is the class initialiser's
    }
}
