package dev.llmo.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * {@code sha256:} of the names and contents of the configuration files that were read, made when first asked for:
 * only a command that records a conversation needs it, and the JDK's security providers it loads cost
 * {@code llmo models} about 90 classes.
 *
 * <p>The built-in files enter it as their own digest ({@link #builtIn}), which the build computes once and bundles
 * beside them: hashing their ~10 KB in the interpreter took the warm-up thread ~6 ms of every model call, and the main
 * thread waited for it (ADR-003, "Sixteenth round"). Each other file enters as its name, its length and its text.
 */
public final class ConfigDigest {
    private final List<String> builtInNames = new ArrayList<>();
    private final List<String> builtInTexts = new ArrayList<>();
    private final List<String> names = new ArrayList<>();
    private final List<String> texts = new ArrayList<>();
    private String builtIn;
    private String value;

    /** A file of a layer over the built-in ones. */
    void add(String name, String text) {
        names.add(name);
        texts.add(text);
    }

    /** A built-in file, whose bytes the digest of {@link #builtInDigest} covers when that is given. */
    void addBuiltIn(String name, String text) {
        builtInNames.add(name);
        builtInTexts.add(text);
    }

    /** The built-in files' digest as the build computed it ({@link #builtIn}) for the files added. */
    void builtInDigest(String hex) {
        builtIn = hex;
    }

    /** The digest, as {@code sha256:HEX}. */
    public synchronized String value() {
        if (value == null) {
            String builtInHex = builtIn != null ? builtIn : builtIn(builtInNames, builtInTexts);
            MessageDigest digest = sha256();
            digest.update(("(built-in)\n" + builtInHex + "\n").getBytes(StandardCharsets.UTF_8));
            update(digest, names, texts);
            value = "sha256:" + HexFormat.of().formatHex(digest.digest());
        }
        return value;
    }

    @Override
    public String toString() {
        return value();
    }

    /** The built-in files' part of the digest: of each file's name, length and text, in order, as hex. */
    static String builtIn(List<String> names, List<String> texts) {
        MessageDigest digest = sha256();
        update(digest, names, texts);
        return HexFormat.of().formatHex(digest.digest());
    }

    private static void update(MessageDigest digest, List<String> names, List<String> texts) {
        for (int i = 0; i < names.size(); i++) {
            String text = texts.get(i);
            digest.update((names.get(i) + "\n" + text.length() + "\n" + text).getBytes(StandardCharsets.UTF_8));
        }
    }

    private static MessageDigest sha256() {
        return dev.llmo.secret.JdkCrypto.sha256();
    }
}
