package dev.llmo.secret;

import java.lang.reflect.Method;
import java.security.Provider;
import java.util.List;

/**
 * Runs set-up code that asks the JCA for something while the current thread sees only some security providers,
 * through the JDK's own mechanism for that (a thread's provider list, which its jar verifier uses). The JCA otherwise
 * sets up the configured providers in turn until one answers: SUN first, ~10 ms of CPU for its ~200 services, and
 * every one of them to answer {@code Security.getProviders()}. The mechanism's class is internal: the jar's manifest
 * exports it to the commands that call models (the launcher starts them with {@code -jar}); without the export the
 * code runs with the configured providers, as it would have (ADR-003, "Fifteenth round" and "Twenty-first round").
 */
public final class ThreadProviders {
    private ThreadProviders() {
    }

    /** Runs {@code action} with only {@code providers} visible to this thread, or as it is where that cannot be. */
    public static void run(Provider[] providers, Runnable action) {
        Method end = null;
        Object list = null;
        Object before = null;
        try {
            Class<?> jca = Class.forName("sun.security.jca.Providers");
            Class<?> providerList = Class.forName("sun.security.jca.ProviderList");
            list = providerList.getMethod("newList", Provider[].class).invoke(null, (Object) providers);
            Method begin = jca.getMethod("beginThreadProviderList", providerList);
            end = jca.getMethod("endThreadProviderList", providerList);
            before = begin.invoke(null, list);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            end = null; // not exported, or another JDK's internals
        }
        try {
            action.run();
        } finally {
            if (end != null) {
                try {
                    end.invoke(null, before);
                } catch (ReflectiveOperationException e) {
                    // it began, so the same method ends it
                }
            }
        }
    }

    /** The first configured provider, without setting up the others; null where the JDK's internals cannot be read. */
    public static Provider firstConfigured() {
        try {
            Class<?> jca = Class.forName("sun.security.jca.Providers");
            Class<?> providerList = Class.forName("sun.security.jca.ProviderList");
            Object configured = jca.getMethod("getProviderList").invoke(null);
            return (Provider) ((List<?>) providerList.getMethod("providers").invoke(configured)).get(0);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return null;
        }
    }
}
