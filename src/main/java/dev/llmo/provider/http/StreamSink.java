package dev.llmo.provider.http;

import dev.llmo.message.Usage;
import dev.llmo.provider.StopReason;

/**
 * Where a {@link ResponseDecoder} puts what it reads from one attempt's answer. The content methods inherited from
 * {@link PartSink} are those of choice 0, the answer.
 */
public interface StreamSink extends PartSink {
    /**
     * The content of choice {@code index}. Only choice 0 is an answer: llmo never asks for more (a request for several
     * is refused before it is sent), so what a server sends for another choice is not spliced into it.
     */
    PartSink choice(int index);

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
