package dev.llmo.provider.http;

import dev.llmo.message.Part;

/**
 * Where a {@link ResponseDecoder} puts the content of one choice, piece by piece, in the order the provider sent it.
 * Pieces of one kind that follow each other merge into one part; {@link #endBlock()} says where a provider's own
 * block ends, so that two thinking blocks with their own signatures stay two parts.
 */
public interface PartSink {
    /** Answer text to append (empty text is ignored). */
    void text(String text);

    /**
     * Pieces of answer text, all ASCII, that followed each other, joined: piece {@code i} is {@code texts[ends[i - 1],
     * ends[i])} (the first from 0), none empty. The same as {@link #text} for each piece in turn, which is what this
     * does unless a sink can take them at once (a run of template events, {@link SseEvent#templateTextTo}).
     */
    default void texts(String texts, int[] ends) {
        int from = 0;
        for (int end : ends) {
            text(texts.substring(from, end));
            from = end;
        }
    }

    /** Reasoning text to append (empty text is ignored). */
    void reasoning(String text);

    /**
     * The opaque signature of the reasoning just read (Anthropic {@code signature_delta}, Gemini
     * {@code thoughtSignature}); without open reasoning it becomes a reasoning part of its own with empty text.
     */
    void reasoningSignature(String signature);

    /** Reasoning the provider hid: only its opaque {@code data} (Anthropic {@code redacted_thinking}). */
    void redactedReasoning(String data);

    /** Text of a refusal to append (empty text is ignored). */
    void refusal(String text);

    /**
     * A piece of tool call {@code index} (its position among this answer's tool calls, from 0): the first piece
     * carries its id and name, later pieces append to its arguments.
     */
    void toolCall(int index, String id, String name, String argumentsDelta);

    /** A source the answer cites; the same citation twice is kept once. */
    void citation(Part.Citation citation);

    /** The provider's current content block ended: the next piece starts a new part even if of the same kind. */
    void endBlock();
}
