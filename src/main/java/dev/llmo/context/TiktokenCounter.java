package dev.llmo.context;

import com.knuddels.jtokkit.api.Encoding;
import dev.llmo.provider.ChatMessage;

/**
 * Exact counts for OpenAI chat models, as OpenAI's cookbook counts them ("How to count tokens with tiktoken",
 * {@code num_tokens_from_messages}): every message costs 3 framing tokens ({@code <|start|>}, the role's
 * separator, {@code <|end|>}) plus its role and content; every request costs 3 more to prime the reply
 * ({@code <|start|>assistant<|message|>}). Message text is encoded as ordinary text: a user typing
 * {@code <|endoftext|>} gets those characters, not the special token, exactly as the API treats it.
 */
final class TiktokenCounter implements TokenCounter {
    static final int TOKENS_PER_MESSAGE = 3;
    static final int REPLY_PRIMING = 3;

    private final Encoding encoding;
    private final MessageTokenCache cache;
    private final long systemRole;
    private final long userRole;
    private final long assistantRole;

    TiktokenCounter(Encoding encoding, MessageTokenCache cache) {
        this.encoding = encoding;
        this.cache = cache;
        // each role name is one token in cl100k_base and o200k_base; counted, not assumed
        this.systemRole = encoding.countTokensOrdinary("system");
        this.userRole = encoding.countTokensOrdinary("user");
        this.assistantRole = encoding.countTokensOrdinary("assistant");
    }

    @Override
    public String method() {
        return encoding.getName() + " (exact)";
    }

    @Override
    public boolean exact() {
        return true;
    }

    /** Tokens of {@code text} alone, without framing. */
    long text(String text) {
        if (text.isEmpty()) {
            return 0;
        }
        return cache.count(text, encoding::countTokensOrdinary);
    }

    @Override
    public long systemTokens(String system) {
        if (system == null || system.isEmpty()) {
            return 0;
        }
        return TOKENS_PER_MESSAGE + systemRole + text(system);
    }

    @Override
    public long messageTokens(ChatMessage message) {
        long role = message.role() == ChatMessage.Role.USER ? userRole : assistantRole;
        return TOKENS_PER_MESSAGE + role + text(message.content());
    }

    @Override
    public long replyPriming() {
        return REPLY_PRIMING;
    }

    String encodingName() {
        return encoding.getName();
    }
}
