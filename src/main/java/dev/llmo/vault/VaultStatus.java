package dev.llmo.vault;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * What can be known about the vault file without its password.
 *
 * @param file        where the vault lives
 * @param exists      whether the file exists
 * @param size        its size in bytes (0 when it does not exist)
 * @param modified    its last modification time, when it exists
 * @param permissions its POSIX permissions such as {@code rw-------}, when the file system has them
 * @param header      the parsed header, when the file exists and its header is well formed
 * @param problem     why the header cannot be read (damaged file), when it cannot
 */
public record VaultStatus(Path file, boolean exists, long size, Optional<Instant> modified,
                          Optional<String> permissions, Optional<VaultHeader> header, Optional<String> problem) {
}
