package dev.llmo.provider;

/**
 * A chat request made ready to send by one {@link ProviderClient}: its HTTP body is built once, so the bytes the event
 * log hashes are the bytes sent (every retry sends the same bytes).
 */
public interface PreparedChat {
    /** The request it was built from. */
    ChatRequest request();

    /** The exact HTTP body; shared, not to be modified. */
    byte[] body();
}
