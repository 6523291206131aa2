package dev.llmo.core;

import dev.llmo.config.ProviderConfig;
import dev.llmo.provider.ApiKey;
import dev.llmo.provider.ProviderClient;
import dev.llmo.provider.anthropic.AnthropicClient;
import dev.llmo.provider.gemini.GeminiClient;
import dev.llmo.provider.http.Transport;
import dev.llmo.provider.openai.OpenAiClient;

/** Makes the client of a provider's wire format; all clients of one factory share its {@link Transport}. */
public final class ProviderClients {
    private final Transport transport;

    public ProviderClients(Transport transport) {
        this.transport = transport;
    }

    /**
     * @param key the resolved key, or null for a keyless provider
     */
    public ProviderClient create(ProviderConfig provider, ApiKey key) {
        return switch (provider.type()) {
            case OPENAI -> new OpenAiClient(provider, key, transport);
            case ANTHROPIC -> new AnthropicClient(provider, key, transport);
            case GEMINI -> new GeminiClient(provider, key, transport);
        };
    }
}
