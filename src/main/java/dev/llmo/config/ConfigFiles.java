package dev.llmo.config;

import dev.llmo.failure.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Reads one configuration file as hostile input: only a regular file (a FIFO would block the read forever, a
 * device never end), at most {@link #MAX_BYTES}, strict UTF-8. The bytes are returned so that the same bytes are
 * both parsed and digested for trust.
 */
public final class ConfigFiles {
    /** The largest configuration file llmo reads: 1 MiB, hundreds of times what a long models.yaml needs. */
    public static final long MAX_BYTES = 1L << 20;

    private ConfigFiles() {
    }

    /** The file's bytes, or null when it does not exist. */
    public static byte[] read(Path file) {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class); // follows a symbolic link
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage(), "check the file's permissions", e);
        }
        if (!attributes.isRegularFile()) {
            throw new ConfigException(file + ": not a regular file (" + kind(attributes) + ")",
                    "replace it with a plain YAML file or remove it");
        }
        if (attributes.size() > MAX_BYTES) {
            throw tooLarge(file);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes((int) MAX_BYTES + 1); // the file may grow after the size was read
            if (bytes.length > MAX_BYTES) {
                throw tooLarge(file);
            }
            return bytes;
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage(), "check the file's permissions", e);
        }
    }

    /** The bytes as text; anything that is not UTF-8 is an error rather than replacement characters. */
    public static String text(byte[] bytes, String file) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new ConfigException(file + ": not valid UTF-8 text", "save the file as UTF-8", e);
        }
    }

    private static ConfigException tooLarge(Path file) {
        return new ConfigException(file + ": larger than " + (MAX_BYTES >> 20) + " MiB, the limit for a configuration file",
                "a configuration file is a few kilobytes; check that this is the file you meant");
    }

    private static String kind(BasicFileAttributes attributes) {
        if (attributes.isDirectory()) {
            return "a directory";
        }
        return attributes.isOther() ? "a FIFO, socket or device" : "not a plain file";
    }
}
