package dev.llmo.provider.http;

/** Ends one attempt from inside a response reader, carrying how it failed. Never leaves the retry loop. */
final class AttemptFailedException extends RuntimeException {
    final AttemptFailure failure;

    AttemptFailedException(AttemptFailure failure) {
        super(failure.error().getMessage(), null, false, false);
        this.failure = failure;
    }
}
