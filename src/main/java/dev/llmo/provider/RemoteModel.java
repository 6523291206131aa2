package dev.llmo.provider;

/**
 * A model that a provider's list endpoint reports.
 *
 * @param id          the name to use after {@code provider/}
 * @param displayName a human name when the provider gives one, else null
 */
public record RemoteModel(String id, String displayName) {
}
