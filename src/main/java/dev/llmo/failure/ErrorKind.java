package dev.llmo.failure;

import java.util.Locale;

/**
 * What kind of failure a model call met, as the {@code kind} of the {@code --json} error object names it. The
 * kinds are stable identifiers: scripts branch on them.
 */
public enum ErrorKind {
    /** The key was refused (HTTP 401, or Gemini's 400 API_KEY_INVALID). */
    AUTH,
    /** The key may not use this model or endpoint (HTTP 403). */
    FORBIDDEN,
    /** The request was refused as malformed (HTTP 400, 413, 422 and other 4xx). */
    BAD_REQUEST,
    /** The prompt does not fit the model's context window. */
    CONTEXT_LENGTH,
    /** The model or endpoint does not exist (HTTP 404). */
    NOT_FOUND,
    /** Too many requests for now (HTTP 429): waiting helps. */
    RATE_LIMITED,
    /** Quota, credits or a spending limit are used up (OpenAI insufficient_quota, HTTP 402...): waiting does not help. */
    QUOTA,
    /** The provider failed (HTTP 500, 502, other 5xx, in-stream api errors). */
    SERVER_ERROR,
    /** The provider is overloaded (HTTP 503, 529, Groq 498). */
    OVERLOADED,
    /** No answer in time: a connect or read timeout, HTTP 408 or 504, or the call's deadline ({@code --timeout}). */
    TIMEOUT,
    /** The server could not be reached, or the connection broke. */
    CONNECTION,
    /** The answer ended before it was complete (a cut stream). */
    INCOMPLETE,
    /** The server answered something llmo cannot read. */
    BAD_RESPONSE,
    /** The provider reported an error inside a stream that fits no other kind. */
    STREAM_ERROR,
    /** A conflicting request (HTTP 409). */
    CONFLICT,
    /**
     * The server answered with a redirect (HTTP 3xx). llmo never follows one: the key and the prompt would go to
     * an address nobody configured. The message names where the server pointed.
     */
    REDIRECT,
    /**
     * The model refused to answer: Anthropic {@code stop_reason: "refusal"}, an OpenAI {@code refusal} message. Any
     * text it wrote before is kept.
     */
    REFUSED,
    /**
     * A safety or content filter blocked the prompt or stopped the answer: Gemini {@code promptFeedback.blockReason}
     * or a candidate finished for SAFETY, RECITATION, PROHIBITED_CONTENT, BLOCKLIST, SPII; OpenAI
     * {@code finish_reason: "content_filter"}. Any text written before is kept.
     */
    BLOCKED,
    /**
     * The model spent the whole output budget on reasoning and wrote no answer: it stopped for the token limit with
     * reasoning but without text or a tool call. The reasoning is kept.
     */
    REASONING_EXHAUSTED,
    /** A remote batch expired before the provider answered the row. */
    EXPIRED,
    /** A remote batch was cancelled before the provider answered the row. */
    CANCELLED;

    /** The identifier written in JSON, e.g. {@code rate_limited}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
