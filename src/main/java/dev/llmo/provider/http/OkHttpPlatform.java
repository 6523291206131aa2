package dev.llmo.provider.http;

import java.lang.reflect.Method;
import java.security.Provider;
import java.util.List;

/**
 * Sets up OkHttp's platform (which every call and every client with TLS asks for) without loading every security
 * provider. OkHttp's probe asks whether the first provider is Conscrypt, BouncyCastle or OpenJSSE through {@code
 * Security.getProviders()}, which loads all the configured providers to hand back the first: a dozen (PKCS#11, smart
 * cards, SASL, LDAP...), ~20 ms of CPU that no call uses (a TLS connection loads the few it needs on its own). Here
 * the probe runs with this thread seeing only the first configured provider, through the JDK's own mechanism for
 * that (a thread's provider list, which the jar verifier uses), so it reads the same name. The mechanism's class is
 * internal: the launcher exports it to the commands that call models, and without the export the probe loads them all,
 * as it would have (ADR-003, "Fifteenth round").
 */
final class OkHttpPlatform {
    static {
        Method end = null;
        Object onlyFirst = null;
        try {
            Class<?> providers = Class.forName("sun.security.jca.Providers");
            Class<?> providerList = Class.forName("sun.security.jca.ProviderList");
            Object configured = providers.getMethod("getProviderList").invoke(null);
            List<?> all = (List<?>) providerList.getMethod("providers").invoke(configured);
            Provider[] first = {(Provider) all.get(0)};
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

    /** Set up once, by whichever thread comes first; the others wait for it, as for any class initialisation. */
    static void ready() {
        // the work is the class initialiser's
    }
}
