package dev.llmo.provider.http;

import java.lang.reflect.Method;
import java.security.Provider;
import java.security.Security;
import java.util.List;

/**
 * Sets up OkHttp's platform (which every call and every client with TLS asks for) without loading every security
 * provider. OkHttp's probe asks whether the first provider is Conscrypt, BouncyCastle or OpenJSSE through {@code
 * Security.getProviders()}, which loads all the configured providers to hand back the first: a dozen (PKCS#11, smart
 * cards, SASL, LDAP...), ~20 ms of CPU that no call uses (a TLS connection loads the few it needs on its own). Here
 * the probe runs with this thread seeing only the first configured provider, through the JDK's own mechanism for
 * that (a thread's provider list, which the jar verifier uses), so it reads the same name; where that is the JDK's
 * SUN, a stand-in of another name, so that SUN is not set up for the probe either (ADR-003, "Twentieth round"). The
 * mechanism's class is internal: the jar's manifest exports it to the commands that call models (the launcher starts
 * them with {@code -jar}), and without the export the probe loads them all, as it would have ("Fifteenth round").
 */
final class OkHttpPlatform {
    static {
        Method end = null;
        Object onlyFirst = null;
        try {
            Class<?> providers = Class.forName("sun.security.jca.Providers");
            Class<?> providerList = Class.forName("sun.security.jca.ProviderList");
            Provider[] first = {jdkFirst() ? new StandIn() : firstConfigured(providers, providerList)};
            onlyFirst = providerList.getMethod("newList", Provider[].class).invoke(null, (Object) first);
            Method begin = providers.getMethod("beginThreadProviderList", providerList);
            end = providers.getMethod("endThreadProviderList", providerList);
            begin.invoke(null, onlyFirst);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            end = null; // not exported, or another JDK's internals
        }
        try {
            okhttp3.internal.platform.Platform.Companion.get();
        } finally {
            if (end != null) {
                try {
                    end.invoke(null, onlyFirst);
                } catch (ReflectiveOperationException e) {
                    // it began, so the same method ends it
                }
            }
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

    private static Provider firstConfigured(Class<?> providers, Class<?> providerList)
            throws ReflectiveOperationException {
        Object configured = providers.getMethod("getProviderList").invoke(null);
        return (Provider) ((List<?>) providerList.getMethod("providers").invoke(configured)).get(0);
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
