package dev.llmo.core;

import dev.llmo.config.ProviderConfig;
import dev.llmo.failure.FailureException;
import dev.llmo.failure.LlmoException;
import dev.llmo.provider.RemoteModel;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Asks every provider's list endpoint what it serves, all at once (a slow or dead one delays only itself). */
public final class RemoteModels {
    private final ProviderKeys keys;
    private final ProviderClients clients;

    public RemoteModels(ProviderKeys keys, ProviderClients clients) {
        this.keys = keys;
        this.clients = clients;
    }

    /**
     * What one provider answered.
     *
     * @param models  the models, empty when skipped or failed
     * @param skipped why the provider was not asked (no key), or null
     * @param error   why asking failed, or null
     */
    public record Listing(ProviderConfig provider, List<RemoteModel> models, String skipped, LlmoException error) {
        public Listing {
            models = List.copyOf(models);
        }
    }

    /** One listing per provider, in the given order. */
    public List<Listing> list(Collection<ProviderConfig> providers) {
        List<CompletableFuture<Listing>> pending = new ArrayList<>();
        for (ProviderConfig provider : providers) {
            if (!keys.hasKey(provider)) {
                pending.add(CompletableFuture.completedFuture(new Listing(provider, List.of(),
                        provider.apiKeyName() + " is not set", null)));
                continue;
            }
            CompletableFuture<Listing> listing = new CompletableFuture<>();
            Thread thread = new Thread(() -> listing.complete(listOne(provider)), "llmo-models-" + provider.name());
            thread.setDaemon(true);
            thread.start();
            pending.add(listing);
        }
        return pending.stream().map(CompletableFuture::join).toList();
    }

    private Listing listOne(ProviderConfig provider) {
        try {
            return new Listing(provider, clients.create(provider, keys.keyFor(provider).orElse(null)).listModels(),
                    null, null);
        } catch (LlmoException e) {
            return new Listing(provider, List.of(), null, e);
        } catch (RuntimeException e) {
            return new Listing(provider, List.of(), null, new FailureException("listing the models of "
                    + provider.name() + " failed: " + e, null, e));
        }
    }
}
