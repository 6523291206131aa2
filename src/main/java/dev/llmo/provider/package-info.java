/**
 * Provider clients: one {@link dev.llmo.provider.ProviderClient} per wire format (openai and every compatible
 * server, anthropic, gemini), streaming over one shared HTTP client with retries. Nothing here prints: callers
 * receive {@link dev.llmo.provider.StreamEvent}s and typed {@link dev.llmo.failure.LlmoException}s.
 */
package dev.llmo.provider;
