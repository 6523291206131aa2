package dev.llmo.provider.http;

import dev.llmo.provider.StopReason;
import dev.llmo.message.Usage;

/** Where a {@link ResponseDecoder} puts what it reads from one attempt's answer. */
public interface StreamSink {
    /** Answer text to append (empty text is ignored). */
    void text(String text);

    /** The token counts so far; replaces earlier ones. */
    void usage(Usage usage);

    /** Why the model stopped; an answer with a stop reason is complete even if the end marker never comes. */
    void stop(StopReason reason);

    /** The model that answers, as the provider names it. */
    void model(String model);

    /** The provider reported an error: the attempt ends. */
    void fail(AttemptFailure failure);

    /** The provider's end marker ({@code [DONE]}, {@code message_stop}): the attempt ends successfully. */
    void done();
}
