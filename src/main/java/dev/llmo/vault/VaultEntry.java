package dev.llmo.vault;

import java.time.Instant;

/**
 * What {@code llmo vault list} shows of one entry: its name and dates, never its value.
 *
 * @param name    the entry name, usually an API key's env var name such as {@code OPENAI_API_KEY}
 * @param created when the entry was first stored
 * @param updated when its value last changed
 */
public record VaultEntry(String name, Instant created, Instant updated) {
}
