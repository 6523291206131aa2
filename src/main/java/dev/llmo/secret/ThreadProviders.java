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
        Object before = null;
        boolean begun = false;
        if (Jca.READY) {
            try {
                before = Jca.BEGIN.invoke(null, Jca.NEW_LIST.invoke(null, (Object) providers));
                begun = true;
            } catch (ReflectiveOperationException | RuntimeException e) {
                // another JDK's internals: as it is
            }
        }
        try {
            action.run();
        } finally {
            if (begun) {
                try {
                    Jca.END.invoke(null, before);
                } catch (ReflectiveOperationException e) {
                    // it began, so the same method ends it
                }
            }
        }
    }

    /** The first configured provider, without setting up the others; null where the JDK's internals cannot be read. */
    public static Provider firstConfigured() {
        if (!Jca.READY) {
            return null;
        }
        try {
            return (Provider) ((List<?>) Jca.PROVIDERS.invoke(Jca.GET_LIST.invoke(null))).get(0);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The JDK's methods, looked up once: a ledger sealed entry by entry makes a MAC per entry. READY is false where
     * they cannot be reached (not exported, another JDK's internals).
     */
    private static final class Jca {
        static final Method NEW_LIST;
        static final Method BEGIN;
        static final Method END;
        static final Method GET_LIST;
        static final Method PROVIDERS;
        static final boolean READY;

        static {
            Method newList = null;
            Method begin = null;
            Method end = null;
            Method getList = null;
            Method providers = null;
            try {
                Class<?> jca = Class.forName("sun.security.jca.Providers");
                Class<?> providerList = Class.forName("sun.security.jca.ProviderList");
                newList = providerList.getMethod("newList", Provider[].class);
                begin = jca.getMethod("beginThreadProviderList", providerList);
                end = jca.getMethod("endThreadProviderList", providerList);
                getList = jca.getMethod("getProviderList");
                providers = providerList.getMethod("providers");
                newList.invoke(null, (Object) new Provider[0]); // an export missing shows here, not at each use
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                newList = null;
            }
            NEW_LIST = newList;
            BEGIN = begin;
            END = end;
            GET_LIST = getList;
            PROVIDERS = providers;
            READY = newList != null;
        }
    }
}
