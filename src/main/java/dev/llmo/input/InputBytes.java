package dev.llmo.input;

import java.util.Objects;

/**
 * The bytes of one input as read, before anything decides what they are.
 *
 * @param bytes        the content
 * @param name         where it came from as the user named it (a path, a URL as
 *                     {@link dev.llmo.config.Urls#named} shows it, or {@code -} for stdin)
 * @param declaredType the media type a server declared ({@code Content-Type} without parameters), or null for files
 *                     and stdin; only a hint, since content decides the type
 */
public record InputBytes(byte[] bytes, String name, String declaredType) {
    public InputBytes {
        Objects.requireNonNull(bytes, "bytes");
        Objects.requireNonNull(name, "name");
    }
}
