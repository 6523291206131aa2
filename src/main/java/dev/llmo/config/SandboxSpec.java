package dev.llmo.config;

import java.util.List;

/**
 * How a sandboxed server or tool runs (bubblewrap): everything read-only except {@code writable} (default: a scratch
 * directory of its own), no network unless {@code network}, its own PID namespace.
 *
 * @param writable paths it may write, as written in the config (relative to the working directory); empty: a
 *                 scratch directory
 */
public record SandboxSpec(List<String> writable, boolean network) {
    public static final SandboxSpec DEFAULT = new SandboxSpec(List.of(), false);

    public SandboxSpec {
        writable = List.copyOf(writable);
    }
}
