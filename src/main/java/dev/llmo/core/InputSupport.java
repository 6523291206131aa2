package dev.llmo.core;

import dev.llmo.config.ModelCatalog;
import dev.llmo.config.ModelRef;
import dev.llmo.config.ModelSpec;
import dev.llmo.config.ProviderConfig;
import dev.llmo.failure.UsageException;
import dev.llmo.message.Part;
import dev.llmo.provider.ChatMessage;
import java.util.ArrayList;
import java.util.List;

/**
 * Refuses, before anything is sent, an attachment that a model cannot take according to models.yaml's
 * {@code input:} (a model models.yaml does not list, or lists without {@code input:}, gets it as is).
 *
 * <p>Exit 2 (usage): the command line asks for something the chosen model cannot do, and the fix is on the command
 * line (another {@code -m}, or no {@code -a}), not in a configuration file; exit 3 is for a bad configuration.
 */
public final class InputSupport {
    private InputSupport() {
    }

    /**
     * Checks every attachment of {@code messages} against every model.
     *
     * @param catalog the configured models, to name those that take the type; null to name none
     * @throws UsageException (exit 2) naming the model, the attachment, its type and the models that take it
     */
    public static void require(List<ModelRef> models, List<ChatMessage> messages, ModelCatalog catalog) {
        for (ChatMessage message : messages) {
            for (Part.Attachment attachment : message.parts(Part.Attachment.class)) {
                require(models, attachment, catalog);
            }
        }
    }

    /** {@link #require(List, List, ModelCatalog)} for one attachment. */
    public static void require(List<ModelRef> models, Part.Attachment attachment, ModelCatalog catalog) {
        for (ModelRef model : models) {
            if (!model.spec().accepts(attachment.mediaType())) {
                String kind = ModelSpec.inputKind(attachment.mediaType());
                List<String> able = catalog == null ? List.of()
                        : ableModels(catalog, model.provider().name(), attachment.mediaType());
                throw new UsageException(model.id() + " does not take " + kind + " input (" + attachment.mediaType()
                        + ", attachment " + (attachment.name() == null ? "from stdin" : attachment.name()) + ")",
                        able.isEmpty() ? "choose a model whose 'input:' in models.yaml lists " + kind
                                : "use a model that does, e.g. -m " + String.join(", -m ", able));
            }
        }
    }

    /** A few models that take the type: the refused model's provider's first, then the others' in order. */
    private static List<String> ableModels(ModelCatalog catalog, String providerName, String mediaType) {
        List<String> same = new ArrayList<>();
        List<String> others = new ArrayList<>();
        for (ProviderConfig provider : catalog.providers()) {
            for (ModelSpec spec : provider.models()) {
                if (spec.input() != null && spec.accepts(mediaType)) {
                    (provider.name().equals(providerName) ? same : others).add(provider.name() + "/" + spec.name());
                }
            }
        }
        same.addAll(others);
        return same.subList(0, Math.min(3, same.size()));
    }
}
