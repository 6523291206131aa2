package dev.llmo.context;

import dev.llmo.config.ProviderType;
import dev.llmo.message.Part;
import dev.llmo.message.Usage;
import dev.llmo.provider.ChatMessage;
import dev.llmo.provider.ChatRequest;
import dev.llmo.provider.ToolDeclaration;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A counter that counts a message's attachments too: a {@code text/*} one as the text part it is sent as (by the
 * counter beneath), any other by {@link AttachmentTokens}. A message without attachments is counted by the counter
 * beneath alone, so text-only counts do not change.
 */
final class WithAttachments implements TokenCounter {
    private final TokenCounter base;
    private final AttachmentTokens attachments;
    private final ProviderType format;
    private final String model;
    private final dev.llmo.message.ContentSource contents;

    WithAttachments(TokenCounter base, AttachmentTokens attachments, ProviderType format, String model,
                    dev.llmo.message.ContentSource contents) {
        this.base = base;
        this.attachments = attachments;
        this.format = format;
        this.model = model;
        this.contents = contents;
    }

    @Override
    public String method() {
        return base.method();
    }

    @Override
    public boolean exact() {
        return base.exact();
    }

    @Override
    public long systemTokens(String system) {
        return base.systemTokens(system);
    }

    @Override
    public long messageTokens(ChatMessage message) {
        long tokens = base.messageTokens(message);
        for (Part.Attachment attachment : message.parts(Part.Attachment.class)) {
            tokens += attachment.mediaType().startsWith("text/") ? text(attachment)
                    : attachments.tokens(format, model, attachment);
        }
        return tokens;
    }

    // the text part it is sent as, framing taken away again
    private long text(Part.Attachment attachment) {
        String text;
        try {
            text = sentText(attachment, contents.bytes(attachment.sha256()));
        } catch (RuntimeException missing) {
            return 0; // sending it reports the missing blob
        }
        return base.messageTokens(ChatMessage.user(text)) - base.messageTokens(ChatMessage.user(""));
    }

    /** The text part a {@code text/*} attachment is sent as: a line naming it, then its text. */
    static String sentText(Part.Attachment attachment, byte[] bytes) {
        return "--- " + attachment.name() + " ---\n" + new String(bytes, StandardCharsets.UTF_8);
    }

    @Override
    public long toolTokens(List<ToolDeclaration> tools) {
        return base.toolTokens(tools);
    }

    @Override
    public long replyPriming() {
        return base.replyPriming();
    }

    @Override
    public void observe(ChatRequest sent, Usage reported) {
        // attachment counts are estimates of their own: learning text ratios from them would skew the text counts
        for (ChatMessage message : sent.messages()) {
            if (!message.parts(Part.Attachment.class).isEmpty()) {
                return;
            }
        }
        base.observe(sent, reported);
    }
}
