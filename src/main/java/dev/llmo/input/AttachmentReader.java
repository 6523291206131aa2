package dev.llmo.input;

import dev.llmo.failure.UsageException;
import dev.llmo.io.ContentStore;
import dev.llmo.message.Part;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Turns {@code -a PATH|URL|-} into an attachment: reads the bytes (bounded in size and time), tells their media type
 * from their content unless {@code --attach-type} says it, stores them once in the content store and returns the
 * reference that a user message carries.
 */
public final class AttachmentReader {
    /**
     * The most bytes one attachment may have: 20 MiB, Gemini's limit for a whole request with inline data and
     * OpenAI's for one image; larger files are refused before anything is sent. Some providers take less (Anthropic:
     * 5 MB per image, 32 MB per request), and say so when asked.
     */
    public static final long MAX_BYTES = 20L << 20;

    private static final Pattern MEDIA_TYPE = Pattern.compile("[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*");

    private final InputReader reader;
    private final ContentStore store;

    // how the error lines name the way an attachment and its type were given: -a and --attach-type, or chat's
    // /attach and /attach --type
    private final String flag;
    private final String typeFlag;

    public AttachmentReader(InputReader reader, ContentStore store) {
        this(reader, store, "-a", "--attach-type");
    }

    /** A reader whose errors name the attachment {@code flag} and its {@code typeFlag} (chat's {@code /attach}). */
    public AttachmentReader(InputReader reader, ContentStore store, String flag, String typeFlag) {
        this.reader = Objects.requireNonNull(reader, "reader");
        this.store = Objects.requireNonNull(store, "store");
        this.flag = flag;
        this.typeFlag = typeFlag;
    }

    /**
     * Reads, types and stores one attachment.
     *
     * @param spec     a path, an http(s) URL, or {@code -} for stdin
     * @param typeOverride {@code --attach-type}, or null to detect the type from the content
     * @throws UsageException (exit 2) unreadable, too large, or of a type llmo cannot tell
     */
    public Part.Attachment read(String spec, String typeOverride) {
        return read(spec, typeOverride, attachment -> { });
    }

    /**
     * {@link #read(String, String)}, with {@code check} asked before the bytes are stored: what it throws (a model
     * that cannot take the type) leaves nothing behind in the content store.
     */
    public Part.Attachment read(String spec, String typeOverride, java.util.function.Consumer<Part.Attachment> check) {
        Read read = readOnly(spec, typeOverride, check);
        store.put(read.bytes());
        return read.attachment();
    }

    /** An attachment as read, with its bytes, not stored. */
    public record Read(Part.Attachment attachment, byte[] bytes) {
    }

    /**
     * Reads and types one attachment without storing it ({@code --dry-run} writes nothing): {@link #read(String,
     * String, java.util.function.Consumer)} but the store.
     */
    public Read readOnly(String spec, String typeOverride, java.util.function.Consumer<Part.Attachment> check) {
        String given = typeOverride == null ? null : mediaType(typeOverride, typeFlag);
        InputBytes input = reader.read(spec, flag, MAX_BYTES);
        String name = input.name(); // a URL without its credentials and query: the name is sent and logged
        if (input.bytes().length == 0) {
            throw new UsageException(flag + " " + name + " is empty", "attach a file with content");
        }
        String type = given != null ? given : MediaTypeDetector.detect(input.bytes())
                .orElseThrow(() -> new UsageException(flag + " " + name + ": cannot tell what it is from its content "
                        + "(not an image, PDF, audio or UTF-8 text llmo knows)", "name its type, e.g. " + typeFlag
                        + " image/png"));
        if (given != null && type.startsWith("text/")) {
            // sent as text (AttachmentJson.text): bytes of another encoding are refused as -f refuses them, not sent
            // as replacement characters; detected text is UTF-8 already
            InputText.utf8(input.bytes(), flag + " " + name, "attach it without " + typeFlag + " " + type
                    + " if it is not text");
        }
        Part.Attachment attachment = new Part.Attachment(type, ContentStore.sha256(input.bytes()),
                "-".equals(spec) ? null : name);
        check.accept(attachment);
        return new Read(attachment, input.bytes());
    }

    /** {@code --attach-type}, checked and lower-cased: {@code type/subtype}. */
    public static String mediaType(String given) {
        return mediaType(given, "--attach-type");
    }

    /** {@link #mediaType(String)}, its error naming {@code typeFlag}. */
    static String mediaType(String given, String typeFlag) {
        String type = given.strip().toLowerCase(Locale.ROOT);
        if (!MEDIA_TYPE.matcher(type).matches()) {
            throw new UsageException(typeFlag + " " + given + " is not a media type", "e.g. " + typeFlag
                    + " image/png, application/pdf or audio/wav");
        }
        return type;
    }
}
