package dev.llmo.failure;

/** A bad configuration file, or an unknown model, provider type, role or chain (exit 3). */
public class ConfigException extends LlmoException {
    public ConfigException(String message, String fix) {
        this(message, fix, null);
    }

    public ConfigException(String message, String fix, Throwable cause) {
        super(ExitCode.CONFIG, message, fix, cause);
    }
}
