package dev.llmo.cli.repl;

import dev.llmo.cli.terminal.Signals;

/**
 * Keeps the conversation's log whole when the process is ended under a session (Ctrl-C on a scripted chat, a
 * closed terminal, a kill): the answer in flight is cancelled so that its partial text is recorded, and the
 * conversation ends as interrupted, terminated or hung up, as the signal was.
 */
final class ShutdownGuard implements AutoCloseable {
    private final Thread hook;
    private final boolean registered;

    private ShutdownGuard(Thread hook, boolean registered) {
        this.hook = hook;
        this.registered = registered;
    }

    static ShutdownGuard install(ChatLoop loop, ChatSession session) {
        Thread hook = new Thread(() -> {
            // Ctrl-C, SIGTERM or SIGHUP (a closed terminal): the log says which, as the exit code does
            loop.cancelAndWait(3000, Signals.stopReason("the answer was cancelled"));
            session.end(Signals.stopping());
        }, "llmo-chat-shutdown");
        try {
            Runtime.getRuntime().addShutdownHook(hook);
            return new ShutdownGuard(hook, true);
        } catch (IllegalStateException e) {
            return new ShutdownGuard(hook, false); // already shutting down
        }
    }

    @Override
    public void close() {
        if (!registered) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // shutting down: the hook runs and ends the conversation itself
        }
    }
}
