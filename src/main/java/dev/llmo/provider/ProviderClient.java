package dev.llmo.provider;

import dev.llmo.failure.InterruptedRunException;
import dev.llmo.failure.LlmoException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * One wire format spoken to one provider: openai (and every OpenAI-compatible server), anthropic or gemini.
 * Implementations already hold their base URL and key; failures are typed {@link LlmoException}s.
 */
public interface ProviderClient {

    /** Builds the request once, ready to be logged (its exact body) and sent by {@link #stream(PreparedChat, StreamListener)}. */
    PreparedChat prepare(ChatRequest request);

    /**
     * Starts a call and returns at once, sending exactly {@code prepared}'s body (which this client built). With
     * {@link ChatRequest#stream()} the text arrives in pieces as it is generated; without, in one piece when the whole
     * answer is there. Either way the listener receives events, then exactly one {@code onComplete} or
     * {@code onError}.
     */
    CallHandle stream(PreparedChat prepared, StreamListener listener);

    /** {@link #prepare} and {@link #stream(PreparedChat, StreamListener)} in one. */
    default CallHandle stream(ChatRequest request, StreamListener listener) {
        return stream(prepare(request), listener);
    }

    /** The exact HTTP body that is sent for {@code request}: its digest goes into the event log. */
    default byte[] requestBody(ChatRequest request) {
        return prepare(request).body();
    }

    /** The models the provider's list endpoint reports. Blocks; retries like a chat call. */
    List<RemoteModel> listModels();

    /** Sends the request and waits for the whole answer. */
    default ChatResponse complete(ChatRequest request) {
        CompletableFuture<ChatResponse> result = new CompletableFuture<>();
        CallHandle handle = stream(request, new StreamListener() {
            @Override
            public void onEvent(StreamEvent event) {
                // the whole answer is in the response
            }

            @Override
            public void onComplete(ChatResponse response) {
                result.complete(response);
            }

            @Override
            public void onError(LlmoException error) {
                result.completeExceptionally(error);
            }
        });
        try {
            return result.get();
        } catch (InterruptedException e) {
            handle.cancel();
            Thread.currentThread().interrupt();
            throw new InterruptedRunException("interrupted", null, e);
        } catch (ExecutionException e) {
            throw (LlmoException) e.getCause();
        }
    }
}
