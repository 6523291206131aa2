package dev.llmo.provider.http;

import dev.llmo.failure.UsageException;
import dev.llmo.message.Part;
import dev.llmo.provider.ChatMessage;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;

/**
 * What the three wire formats share about attachments: whether a turn has any (a turn without keeps its old, plain
 * text body byte for byte), the base64 of the bytes, and the text part that stands for a {@code text/*} attachment
 * (a fragment): every format sends it as text, a line naming it and then its content.
 */
public final class AttachmentJson {
    private AttachmentJson() {
    }

    /** Whether {@code message} has an attachment part. */
    public static boolean hasAttachments(ChatMessage message) {
        for (Part part : message.parts()) {
            if (part instanceof Part.Attachment) {
                return true;
            }
        }
        return false;
    }

    /** Whether the attachment is text ({@code text/*}), sent as a text part by every format. */
    public static boolean isText(Part.Attachment attachment) {
        return attachment.mediaType().toLowerCase(Locale.ROOT).startsWith("text/");
    }

    /**
     * The text part that stands for a {@code text/*} attachment: a line naming it, then its text.
     *
     * <pre>--- notes.md ---
     * the content of notes.md</pre>
     */
    public static String text(Part.Attachment attachment, byte[] bytes) {
        return "--- " + label(attachment) + " ---\n" + new String(bytes, StandardCharsets.UTF_8);
    }

    /** How an attachment is named to the model and in errors: its name, or the start of its hash. */
    public static String label(Part.Attachment attachment) {
        return attachment.name() != null && !attachment.name().isBlank() ? attachment.name()
                : "sha256:" + attachment.sha256().substring(0, 12);
    }

    /** Standard base64 with padding, as all three formats take it. */
    public static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    /** {@code data:TYPE;base64,...}. */
    public static String dataUrl(String mediaType, byte[] bytes) {
        return "data:" + mediaType + ";base64," + base64(bytes);
    }

    /**
     * The error for an attachment a wire format has no way to send (the capability check before sending normally
     * stops it first; this is for a model not listed in models.yaml).
     */
    public static UsageException unsupported(String format, Part.Attachment attachment) {
        return new UsageException("the " + format + " wire format cannot send " + attachment.mediaType()
                + " (attachment " + label(attachment) + ")",
                "attach it as another type with --attach-type, or use a model whose provider takes it");
    }
}
