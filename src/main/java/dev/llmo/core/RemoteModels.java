package dev.llmo.core;

import dev.llmo.config.ProviderConfig;
import dev.llmo.failure.FailureException;
import dev.llmo.failure.LlmoException;
import dev.llmo.failure.VaultLockedException;
import dev.llmo.provider.RemoteModel;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Asks every provider's list endpoint what it serves, all at once (a slow or dead one delays only itself). */
public final class RemoteModels {
    /** The vault password's variable (the vault package's {@code PasswordSource.ENV}: the core does not use it). */
    private static final String ENV_PASSWORD = "LLMO_VAULT_PASSWORD";
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
     * @param skipped why the provider was not asked (no key) and how to change that, or null
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
            String skipped = skipped(provider);
            if (skipped != null) {
                pending.add(CompletableFuture.completedFuture(new Listing(provider, List.of(), skipped, null)));
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

    /**
     * Why the provider is not asked, with how to change that, or null when it has a key (or needs none). A vault
     * that cannot be unlocked skips only the providers whose key it alone could hold: the others are still listed.
     */
    private String skipped(ProviderConfig provider) {
        String name = provider.apiKeyName();
        try {
            return keys.hasKey(provider) ? null
                    : name + " is not set (run 'llmo vault set " + name + "' or 'export " + name + "=…')";
        } catch (VaultLockedException e) {
            return name + " is not set, and the vault is locked with no terminal to ask for its password (export "
                    + name + "=…, or set " + ENV_PASSWORD + " to the vault password)";
        }
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
