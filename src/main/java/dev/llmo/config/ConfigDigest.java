package dev.llmo.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * {@code sha256:} of the names and contents of the configuration files that were read, made when first asked for:
 * only a command that records a conversation needs it, and the JDK's security providers it loads cost
 * {@code llmo models} about 90 classes.
 */
public final class ConfigDigest {
    private final List<String> names = new ArrayList<>();
    private final List<String> texts = new ArrayList<>();
    private String value;

    void add(String name, String text) {
        names.add(name);
        texts.add(text);
    }

    /** The digest, as {@code sha256:HEX}. */
    public synchronized String value() {
        if (value == null) {
            MessageDigest digest = sha256();
            for (int i = 0; i < names.size(); i++) {
                String text = texts.get(i);
                digest.update((names.get(i) + "\n" + text.length() + "\n" + text).getBytes(StandardCharsets.UTF_8));
            }
            value = "sha256:" + HexFormat.of().formatHex(digest.digest());
        }
        return value;
    }

    @Override
    public String toString() {
        return value();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
