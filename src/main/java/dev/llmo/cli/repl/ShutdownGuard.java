package dev.llmo.cli.repl;

import dev.llmo.core.ExitCode;

/**
 * Keeps the conversation's log whole when the process is ended under a session (Ctrl-C on a scripted chat, a
 * closed terminal, a kill): the answer in flight is cancelled so that its partial text is recorded, and the
 * conversation ends as interrupted.
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
            loop.cancelAndWait(3000);
            session.end(ExitCode.INTERRUPTED);
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
