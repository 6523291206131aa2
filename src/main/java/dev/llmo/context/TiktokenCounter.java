package dev.llmo.context;

import com.knuddels.jtokkit.api.Encoding;
import dev.llmo.message.Part;
import dev.llmo.provider.ChatMessage;
import dev.llmo.provider.ToolDeclaration;
import java.util.List;

/**
 * Exact counts for OpenAI chat models, as OpenAI's cookbook counts them ("How to count tokens with tiktoken",
 * {@code num_tokens_from_messages}): every message costs 3 framing tokens ({@code <|start|>}, the role's
 * separator, {@code <|end|>}) plus its role and content; every request costs 3 more to prime the reply
 * ({@code <|start|>assistant<|message|>}). Message text is encoded as ordinary text: a user typing
 * {@code <|endoftext|>} gets those characters, not the special token, exactly as the API treats it.
 *
 * <p>Tools are counted the way the wire formats send them: a tool turn is one {@code tool} message per result; an
 * assistant turn that called tools adds, per call, {@value #TOKENS_PER_TOOL_CALL} framing tokens with the name and
 * the arguments, and the reasoning sent back beside the calls. Declared tools cost the cookbook's framing
 * ({@code num_tokens_for_tools}: {@value #TOKENS_PER_TOOL} per function, the gpt-4 figure, gpt-4o's is 7, and
 * {@value #TOOLS_END} once) plus the name, description and schema, the schema as its JSON text, longer than the
 * rendering OpenAI bills: the count errs high, never low.
 */
final class TiktokenCounter implements TokenCounter {
    static final int TOKENS_PER_MESSAGE = 3;
    static final int REPLY_PRIMING = 3;
    static final int TOKENS_PER_TOOL = 10;
    static final int TOOLS_END = 12;
    static final int TOKENS_PER_TOOL_CALL = 3;

    private final Encoding encoding;
    private final MessageTokenCache cache;
    private final long systemRole;
    private final long userRole;
    private final long assistantRole;
    private final long toolRole;

    TiktokenCounter(Encoding encoding, MessageTokenCache cache) {
        this.encoding = encoding;
        this.cache = cache;
        // each role name is one token in cl100k_base and o200k_base; counted, not assumed
        this.systemRole = encoding.countTokensOrdinary("system");
        this.userRole = encoding.countTokensOrdinary("user");
        this.assistantRole = encoding.countTokensOrdinary("assistant");
        this.toolRole = encoding.countTokensOrdinary("tool");
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
        return switch (message.role()) {
            case USER -> TOKENS_PER_MESSAGE + userRole + text(message.content());
            case ASSISTANT -> TOKENS_PER_MESSAGE + assistantRole + text(message.content()) + toolCalls(message);
            case TOOL -> {
                long results = 0;
                for (Part.ToolResult result : message.parts(Part.ToolResult.class)) {
                    results += TOKENS_PER_MESSAGE + toolRole + text(result.content());
                }
                yield results;
            }
        };
    }

    /** An assistant turn's calls and the reasoning sent back with them; 0 for a turn without calls. */
    private long toolCalls(ChatMessage message) {
        List<Part.ToolCall> calls = message.parts(Part.ToolCall.class);
        if (calls.isEmpty()) {
            return 0;
        }
        long tokens = 0;
        for (Part.ToolCall call : calls) {
            tokens += TOKENS_PER_TOOL_CALL + text(call.name()) + text(call.arguments());
        }
        for (Part.Reasoning reasoning : message.parts(Part.Reasoning.class)) {
            tokens += text(reasoning.text());
        }
        return tokens;
    }

    @Override
    public long toolTokens(List<ToolDeclaration> tools) {
        if (tools.isEmpty()) {
            return 0;
        }
        long tokens = TOOLS_END;
        for (ToolDeclaration tool : tools) {
            tokens += TOKENS_PER_TOOL + text(tool.name()) + text(tool.description()) + text(tool.parametersJson());
        }
        return tokens;
    }

    @Override
    public long replyPriming() {
        return REPLY_PRIMING;
    }

    String encodingName() {
        return encoding.getName();
    }
}
