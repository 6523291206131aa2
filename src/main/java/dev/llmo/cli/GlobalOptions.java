package dev.llmo.cli;

import java.util.Map;

/** The flags that apply to every command, read before picocli parses anything (so errors and help obey them). */
public record GlobalOptions(boolean debug, boolean noColor) {

    public static GlobalOptions scan(String[] args, Map<String, String> env) {
        boolean debug = isSet(env.get("LLMO_DEBUG"));
        boolean noColor = false;
        for (String arg : args) {
            if ("--".equals(arg)) {
                break;
            }
            debug |= "--debug".equals(arg);
            noColor |= "--no-color".equals(arg);
        }
        return new GlobalOptions(debug, noColor);
    }

    private static boolean isSet(String value) {
        return value != null && !value.isEmpty() && !"0".equals(value) && !"false".equalsIgnoreCase(value);
    }
}
