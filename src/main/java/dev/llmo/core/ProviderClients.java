package dev.llmo.core;

import dev.llmo.config.ProviderConfig;
import dev.llmo.message.ContentSource;
import dev.llmo.secret.ApiKey;
import dev.llmo.provider.BatchService;
import dev.llmo.provider.ChatRequest;
import dev.llmo.provider.ProviderClient;
import dev.llmo.provider.anthropic.AnthropicBatches;
import dev.llmo.provider.anthropic.AnthropicClient;
import dev.llmo.provider.anthropic.AnthropicOptions;
import dev.llmo.provider.gemini.GeminiBatches;
import dev.llmo.provider.gemini.GeminiClient;
import dev.llmo.provider.gemini.GeminiOptions;
import dev.llmo.provider.http.Transport;
import dev.llmo.provider.openai.OpenAiBatches;
import dev.llmo.provider.openai.OpenAiClient;
import dev.llmo.provider.openai.OpenAiOptions;

/** Makes the client of a provider's wire format; all clients of one factory share its {@link Transport}. */
public final class ProviderClients {
    private final Transport transport;
    private final ContentSource contents;

    /** Clients that never send attachments (model listings, tests of text). */
    public ProviderClients(Transport transport) {
        this(transport, ContentSource.NONE);
    }

    /** @param contents where attachments' bytes are read when a body is built (the content store) */
    public ProviderClients(Transport transport, ContentSource contents) {
        this.transport = transport;
        this.contents = contents;
    }

    /**
     * @param key the resolved key, or null for a keyless provider
     */
    public ProviderClient create(ProviderConfig provider, ApiKey key) {
        return switch (provider.type()) {
            case OPENAI -> new OpenAiClient(provider, key, transport, contents);
            case ANTHROPIC -> new AnthropicClient(provider, key, transport, contents);
            case GEMINI -> new GeminiClient(provider, key, transport, contents);
        };
    }

    /** The client of the provider's own batch service, which sends the bodies {@link #create} would build. */
    public BatchService batches(ProviderConfig provider, ApiKey key) {
        return switch (provider.type()) {
            case OPENAI -> new OpenAiBatches(new OpenAiClient(provider, key, transport));
            case ANTHROPIC -> new AnthropicBatches(new AnthropicClient(provider, key, transport));
            case GEMINI -> new GeminiBatches(new GeminiClient(provider, key, transport));
        };
    }

    /**
     * Translates the request's options for the provider's wire format as its client will, so that an option that
     * cannot be sent (both reasoning options, a budget the format does not take, two options for one field) is
     * refused (exit 2) before a key is looked up or anything is reserved.
     */
    public static void checkOptions(ProviderConfig provider, ChatRequest request) {
        switch (provider.type()) {
            case OPENAI -> OpenAiOptions.fields(request, provider);
            case ANTHROPIC -> AnthropicOptions.fields(request);
            case GEMINI -> GeminiOptions.fields(request);
        }
    }
}
