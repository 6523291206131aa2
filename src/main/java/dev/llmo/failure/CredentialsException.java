package dev.llmo.failure;

/** A missing key, a locked vault or a wrong password, HTTP 401/403 (exit 4). */
public class CredentialsException extends LlmoException {
    public CredentialsException(String message, String fix) {
        this(message, fix, null);
    }

    public CredentialsException(String message, String fix, Throwable cause) {
        super(ExitCode.CREDENTIALS, message, fix, cause);
    }
}
