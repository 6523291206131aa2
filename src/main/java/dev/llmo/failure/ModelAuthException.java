package dev.llmo.failure;

/** A provider refused the key (HTTP 401/403, or Gemini's invalid-key 400): exit 4, like any credentials error. */
public class ModelAuthException extends CredentialsException implements CallError {
    private final ErrorKind kind;
    private final Integer status;

    public ModelAuthException(ErrorKind kind, Integer status, String message, String fix) {
        super(message, fix);
        this.kind = kind;
        this.status = status;
    }

    @Override
    public ErrorKind kind() {
        return kind;
    }

    @Override
    public Integer status() {
        return status;
    }
}
