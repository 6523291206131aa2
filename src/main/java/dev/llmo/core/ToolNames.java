package dev.llmo.core;

import dev.llmo.provider.ToolDeclaration;
import dev.llmo.secret.JdkCrypto;
import dev.llmo.tool.Tool;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The names tools are declared by. OpenAI and Anthropic accept only letters, digits, {@code _} and {@code -}, at most
 * 64, so {@code fs.read_file} is declared as {@code fs_read_file}; a name that would then clash with another, or is too
 * long, gets a short hash of its full name instead of its tail. The mapping depends only on the tools, in order, so a
 * replay declares them again byte for byte.
 */
public final class ToolNames {
    private static final int MAX = 64;

    private ToolNames() {
    }

    /** Each tool by the name the model will call it, in the order given. */
    public static Map<String, Tool> byWireName(List<Tool> tools) {
        Map<String, Tool> named = new LinkedHashMap<>();
        for (Tool tool : tools) {
            String wire = plain(tool.name());
            if (wire.length() > MAX || named.containsKey(wire)) {
                wire = wire.substring(0, Math.min(wire.length(), MAX - 9)) + "_" + shortHash(tool.name());
            }
            named.put(wire, tool);
        }
        return named;
    }

    /** The declarations of {@code tools} in a request. */
    public static List<ToolDeclaration> declarations(List<Tool> tools) {
        List<ToolDeclaration> declared = new ArrayList<>();
        for (Map.Entry<String, Tool> named : byWireName(tools).entrySet()) {
            Tool tool = named.getValue();
            declared.add(new ToolDeclaration(named.getKey(), tool.description(), tool.schemaJson()));
        }
        return declared;
    }

    private static String plain(String name) {
        StringBuilder wire = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean allowed = c < 128 && (Character.isLetterOrDigit(c) || c == '_' || c == '-');
            wire.append(allowed ? c : '_');
        }
        // Gemini wants a letter or _ first
        return wire.length() == 0 ? "tool" : Character.isLetter(wire.charAt(0)) || wire.charAt(0) == '_'
                ? wire.toString() : "_" + wire;
    }

    private static String shortHash(String name) {
        byte[] digest = JdkCrypto.sha256().digest(name.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(digest, 0, 4);
    }
}
