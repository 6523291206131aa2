package dev.llmo.message;

/**
 * Where the bytes of an {@link Part.Attachment} are read: the content store, by SHA-256. The layers that build request
 * bodies (the provider clients) hold only this, not the store that implements it, since a message carries a
 * reference and never the bytes.
 */
@FunctionalInterface
public interface ContentSource {
    /** For callers that never send an attachment: asking it for bytes is a bug, and says so. */
    ContentSource NONE = sha256 -> {
        throw new IllegalStateException("no content store to read attachment sha256:" + sha256 + " from");
    };

    /**
     * The bytes stored under {@code sha256}, checked against it.
     *
     * @param sha256 64 lower-case hex digits
     * @throws RuntimeException (an {@code LlmoException} from the store) when the content is missing or changed
     */
    byte[] bytes(String sha256);
}
