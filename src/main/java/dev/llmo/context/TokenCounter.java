package dev.llmo.context;

import dev.llmo.provider.ChatMessage;
import dev.llmo.provider.ChatRequest;
import dev.llmo.provider.ToolDeclaration;
import dev.llmo.message.Usage;
import java.util.List;

/**
 * Counts the input tokens of a chat request for one model, framing included: what the provider will bill as
 * {@code input_tokens}. Get one from {@link TokenCounters#forModel}.
 *
 * <p>A request costs {@code systemTokens(system) + toolTokens(tools) + Σ messageTokens(m) + replyPriming()}; each
 * part is additive so that {@link ContextAssembler} can decide message by message what fits. A message counts
 * everything its wire format sends of it: an assistant turn that called tools its calls (name and arguments) and the
 * reasoning sent back with them, a tool turn its results. No provider documents how it renders tools and calls, so
 * those counts follow OpenAI's cookbook where it has numbers and otherwise count the JSON text, which errs high.
 * Counts of message contents are cached by the counter, so counting a long history again after one more turn only
 * tokenises the new messages.
 */
public interface TokenCounter {
    /** How the counts are made, for humans: {@code o200k_base (exact)} or the estimate's formula. */
    String method();

    /** True when the counts are exactly what the provider bills (OpenAI models with a known encoding). */
    boolean exact();

    /** The system prompt with its framing; 0 for none (null or empty). */
    long systemTokens(String system);

    /** One message with its framing (role and separators), tool calls, results and reasoning sent back included. */
    long messageTokens(ChatMessage message);

    /** The declared tools (names, descriptions, parameter schemas) with their framing; 0 for none. */
    long toolTokens(List<ToolDeclaration> tools);

    /** The tokens the provider adds to every request to start the answer. */
    long replyPriming();

    /** The whole request: system prompt, every message, and the reply priming. */
    default long count(String system, List<ChatMessage> messages) {
        long total = systemTokens(system) + replyPriming();
        for (ChatMessage message : messages) {
            total += messageTokens(message);
        }
        return total;
    }

    /** The whole request, its declared tools included; see {@link #count(String, List)}. */
    default long count(ChatRequest request) {
        return count(request.system(), request.messages()) + toolTokens(request.tools());
    }

    /**
     * Learns from what the provider reported for a request this counter counted, so that later estimates come
     * closer. Exact counters have nothing to learn and ignore it.
     */
    default void observe(ChatRequest sent, Usage reported) {
    }
}
