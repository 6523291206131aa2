package dev.llmo.context;

import dev.llmo.message.ContentSource;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;
import dev.llmo.config.ModelRef;
import dev.llmo.config.ProviderType;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Hands out the {@link TokenCounter} for a model. One per run: it owns the per-encoding caches of message counts and
 * the calibration learned from providers' reported usage; the tiktoken encodings beneath (each loaded on first use,
 * 250–570 ms, never all of them) are the process's. Thread-safe.
 *
 * <p>Exact counts: OpenAI models (provider type {@code openai}) named gpt-4o, chatgpt-4o, gpt-4.1, gpt-4.5, gpt-5
 * and the o-series (o1, o3, o4...) use o200k_base; gpt-4 and gpt-3.5 use cl100k_base. Every other model gets an
 * {@link EstimatingCounter}.
 */
public final class TokenCounters {
    /**
     * Built-in ratios of a provider type's tokens to cl100k_base tokens for the same text, used until a response
     * teaches better. Claude's tokenizer is coarser than cl100k_base on English and code (about 1.1–1.3×);
     * Gemini's SentencePiece vocabulary lands close to it; local models behind OpenAI-compatible servers vary
     * (Llama 3 is close, Mistral and older Llamas need more), hence a little headroom.
     */
    private static final Map<ProviderType, Double> DEFAULT_RATIOS = Map.of(
            ProviderType.ANTHROPIC, 1.20,
            ProviderType.GEMINI, 1.00,
            ProviderType.OPENAI, 1.10);

    /** Not an EnumMap: that would initialise {@link EncodingType} (and its table) in every call, counting or not. */
    private final Map<EncodingType, TiktokenCounter> counters = new java.util.HashMap<>(4);
    private final TokenCalibration calibration;
    private final int cacheCapacity;

    private final ContentSource contents;
    private final AttachmentTokens attachments;

    private TokenCounters(TokenCalibration calibration, int cacheCapacity, ContentSource contents) {
        this.calibration = calibration;
        this.cacheCapacity = cacheCapacity;
        this.contents = contents;
        this.attachments = new AttachmentTokens(contents);
    }

    /** Counters with a fresh calibration and the default cache size, for requests without attachments. */
    public static TokenCounters create() {
        return create(ContentSource.NONE);
    }

    /**
     * Counters that count attachments too, reading their bytes (an image's size, a PDF's pages, audio's length)
     * from {@code contents}.
     */
    public static TokenCounters create(ContentSource contents) {
        return new TokenCounters(new TokenCalibration(), MessageTokenCache.DEFAULT_CAPACITY, contents);
    }

    /** The counter for a resolved model. */
    public TokenCounter forModel(ModelRef model) {
        return forModel(model.provider().type(), model.provider().name(), model.modelName());
    }

    /**
     * The counter for {@code modelName} served by the provider named {@code providerName} of type {@code type}.
     * Estimates are calibrated per provider name: two OpenAI-compatible servers run different models.
     */
    public TokenCounter forModel(ProviderType type, String providerName, String modelName) {
        Optional<EncodingType> exact = type == ProviderType.OPENAI ? openAiEncoding(modelName) : Optional.empty();
        TokenCounter text = exact.isPresent() ? encoding(exact.get())
                : new EstimatingCounter(encoding(EncodingType.CL100K_BASE), calibration, providerName,
                DEFAULT_RATIOS.get(type));
        // without a content store there are no attachments to count (create())
        return contents == ContentSource.NONE ? text : new WithAttachments(text, attachments, type, modelName, contents);
    }

    /**
     * More than the tokens of a {@code text/*} attachment, without a tokenizer: the UTF-8 bytes of the text part it
     * is sent as, a token being at least one byte in every tokenizer llmo meets. -1 for any other attachment (an
     * image's or a PDF's tokens are not bounded by its bytes), one over 1 MiB (then counted), or one not in the
     * store (sending it reports that).
     */
    public long textAttachmentBound(dev.llmo.message.Part.Attachment attachment) {
        if (!attachment.mediaType().startsWith("text/") || contents == ContentSource.NONE) {
            return -1;
        }
        byte[] bytes;
        try {
            bytes = contents.bytes(attachment.sha256());
        } catch (RuntimeException missing) {
            return -1;
        }
        if (bytes.length > 1 << 20) {
            return -1;
        }
        return WithAttachments.sentText(attachment, bytes).getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    }

    /** The calibration shared by every estimating counter of this instance. */
    public TokenCalibration calibration() {
        return calibration;
    }

    /** The tiktoken encoding of an OpenAI chat model, by its name; empty for models it does not know. */
    static Optional<EncodingType> openAiEncoding(String modelName) {
        // "openai/gpt-4o" through a router is still gpt-4o
        String name = modelName.substring(modelName.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
        if (name.startsWith("gpt-4o") || name.startsWith("chatgpt-4o") || name.startsWith("gpt-4.1")
                || name.startsWith("gpt-4.5") || name.startsWith("gpt-5") || name.matches("o[1-9](-.*)?")) {
            return Optional.of(EncodingType.O200K_BASE);
        }
        if (name.startsWith("gpt-4") || name.startsWith("gpt-3.5") || name.startsWith("gpt-35")) {
            return Optional.of(EncodingType.CL100K_BASE);
        }
        return Optional.empty();
    }

    private synchronized TiktokenCounter encoding(EncodingType type) {
        return counters.computeIfAbsent(type,
                t -> new TiktokenCounter(Registry.ENCODINGS.getEncoding(t), new MessageTokenCache(cacheCapacity)));
    }

    /**
     * jtokkit's encodings, loaded once per process however many counters there are: an encoding is immutable and
     * takes 250–570 ms to load (a process that runs llmo's commands in turn, as the tests do, loaded one per
     * command). A holder class, so that the registry is made at the first count: its encodings' enum builds its name
     * table with a stream (six lambda call sites), and a call without a context budget counts nothing (ADR-003,
     * "Seventh round"). The registry's map is concurrent.
     */
    private static final class Registry {
        static final EncodingRegistry ENCODINGS = Encodings.newLazyEncodingRegistry();
    }
}
