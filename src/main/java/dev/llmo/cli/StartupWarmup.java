package dev.llmo.cli;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Set;

/**
 * Initialises, on a second thread, the library classes a model call will need, while the main thread builds the
 * command's model and reads the configuration. Their static initialisers are pure set-up (Jackson's
 * date format and its locale data; the JCE provider's SHA-256), so running them early changes nothing but when
 * the work is done; on a machine with a free core it is done beside the main thread instead of in its way.
 */
final class StartupWarmup {
    /** The commands that call models, for which the warm-up pays. */
    private static final Set<String> CALLING = Set.of("run", "chat", "chain", "batch");

    private StartupWarmup() {
    }

    static void beginFor(String command) {
        if (command == null || !CALLING.contains(command) || Boolean.getBoolean("llmo.nowarmup")) {
            return;
        }
        Thread thread = new Thread(StartupWarmup::warm, "llmo-warmup");
        thread.setDaemon(true);
        thread.setPriority(Thread.MIN_PRIORITY);
        thread.start();
    }

    private static void warm() {
        try {
            Class.forName("com.fasterxml.jackson.databind.ObjectMapper", true, StartupWarmup.class.getClassLoader());
            MessageDigest.getInstance("SHA-256");
        } catch (ClassNotFoundException | NoSuchAlgorithmException | LinkageError e) {
            // nothing was gained; the main thread does the same work when it needs it and reports what fails
        }
    }
}
