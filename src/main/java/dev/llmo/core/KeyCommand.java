package dev.llmo.core;

import dev.llmo.config.ProviderConfig;
import dev.llmo.failure.CredentialsException;
import dev.llmo.failure.InterruptedRunException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a provider's {@code api_key_cmd} and returns the one line it prints. Bounded in every way: it gets
 * {@link #timeout} to finish (then it and every process it started are killed), at most {@link #MAX_OUTPUT_BYTES}
 * of output are read, and it starts without llmo's secrets in its environment ({@link ChildEnvironment}).
 */
final class KeyCommand {
    /** The default time an {@code api_key_cmd} gets (a password manager may prompt). */
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    /** The most output read from an {@code api_key_cmd}; a key is one line, far shorter. */
    static final int MAX_OUTPUT_BYTES = 64 * 1024;

    private final ChildEnvironment environment;
    private final Duration timeout;

    KeyCommand(ChildEnvironment environment, Duration timeout) {
        this.environment = environment;
        this.timeout = timeout;
    }

    String run(ProviderConfig provider) {
        String what = "api_key_cmd of provider '" + provider.name() + "'";
        String fix = "check that '" + provider.apiKeyCmd() + "' prints the key when run in a shell";
        // The command is the user's own configuration; it runs through sh so that pipes and quoting work as typed.
        // Its stderr goes to ours (a password manager may prompt there); its stdout, the key, is never shown.
        ProcessBuilder builder = new ProcessBuilder("sh", "-c", provider.apiKeyCmd())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .redirectInput(ProcessBuilder.Redirect.INHERIT);
        builder.environment().clear();
        builder.environment().putAll(environment.without(provider.apiKeyName()).forChild());
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new CredentialsException(what + " could not be run: " + e.getMessage(), fix, e);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        CompletableFuture<byte[]> output = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (InputStream stdout = process.getInputStream()) {
                output.complete(stdout.readNBytes(MAX_OUTPUT_BYTES + 1));
            } catch (IOException | RuntimeException e) {
                output.completeExceptionally(e);
            }
        }, "llmo-api-key-cmd");
        reader.setDaemon(true);
        reader.start();
        try {
            byte[] out = output.get(remaining(deadline), TimeUnit.NANOSECONDS);
            if (out.length > MAX_OUTPUT_BYTES) {
                killTree(process);
                throw new CredentialsException(what + " printed more than " + MAX_OUTPUT_BYTES / 1024
                        + " KiB; it was stopped", fix + " (one line, the key alone)");
            }
            if (!process.waitFor(remaining(deadline), TimeUnit.NANOSECONDS)) {
                throw new TimeoutException();
            }
            if (process.exitValue() != 0) {
                throw new CredentialsException(what + " failed with exit code " + process.exitValue(), fix);
            }
            String key = new String(out, StandardCharsets.UTF_8).strip();
            if (key.isEmpty() || key.contains("\n")) {
                throw new CredentialsException(what + " printed " + (key.isEmpty() ? "nothing" : "several lines"),
                        fix + " (one line, the key alone)");
            }
            return key;
        } catch (TimeoutException e) {
            killTree(process);
            throw new CredentialsException(what + " did not finish within " + timeout.toSeconds()
                    + " s; it and the processes it started were stopped",
                    fix + ", without waiting for input longer than " + timeout.toSeconds() + " s");
        } catch (ExecutionException e) {
            killTree(process);
            throw new CredentialsException(what + " could not be read: " + e.getCause().getMessage(), fix,
                    e.getCause());
        } catch (InterruptedException e) {
            killTree(process);
            Thread.currentThread().interrupt();
            throw new InterruptedRunException("interrupted", null, e);
        }
    }

    private static long remaining(long deadline) {
        return Math.max(0, deadline - System.nanoTime());
    }

    /**
     * Kills the command and everything it started. The descendants are listed before anything is killed: once the
     * shell dies its children are re-parented and no longer found under it.
     */
    private static void killTree(Process process) {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
    }
}
