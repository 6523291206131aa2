package dev.llmo.config;

import dev.llmo.config.ConfigNode.MapNode;
import dev.llmo.core.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads config.yaml and models.yaml from every layer (built-in → /etc/llmo → user → nearest .llmo/ → env) and
 * merges them into {@link Settings}. Command-line flags are the last layer and are applied by the commands.
 */
public final class ConfigLoader {
    public static final String CONFIG_FILE = "config.yaml";
    public static final String MODELS_FILE = "models.yaml";
    private static final String BUILT_IN_RESOURCES = "/dev/llmo/defaults/";

    private ConfigLoader() {
    }

    public static Settings load(AppDirs dirs, Path workingDir, Map<String, String> env) {
        MapNode config = new MapNode(Map.of(), Origin.of(ConfigLayer.BUILT_IN, CONFIG_FILE));
        MapNode models = new MapNode(Map.of(), Origin.of(ConfigLayer.BUILT_IN, MODELS_FILE));
        List<String> files = new ArrayList<>();
        MessageDigest digest = sha256();
        for (ConfigLayer layer : layers(dirs, workingDir)) {
            MapNode layerConfig = read(layer, CONFIG_FILE, files, digest);
            MapNode layerModels = read(layer, MODELS_FILE, files, digest);
            if (layerConfig != null) {
                config = ConfigMerge.merge(config, layerConfig);
            }
            if (layerModels != null) {
                models = ConfigMerge.merge(models, layerModels);
            }
        }
        return SettingsBinder.bind(config, models, env, files, "sha256:" + HexFormat.of().formatHex(digest.digest()));
    }

    /** The file layers in order, lowest first; layers whose directory does not exist are still listed. */
    public static List<ConfigLayer> layers(AppDirs dirs, Path workingDir) {
        List<ConfigLayer> layers = new ArrayList<>();
        layers.add(new ConfigLayer(ConfigLayer.BUILT_IN, null));
        layers.add(new ConfigLayer(ConfigLayer.SYSTEM, dirs.systemConfigDir()));
        layers.add(new ConfigLayer(ConfigLayer.USER, dirs.configDir()));
        Path project = nearestProjectDir(workingDir);
        if (project != null && !project.equals(dirs.configDir())) {
            layers.add(new ConfigLayer(ConfigLayer.PROJECT, project));
        }
        return layers;
    }

    /** The nearest {@code .llmo/} directory at or above {@code workingDir}, or null. */
    static Path nearestProjectDir(Path workingDir) {
        for (Path dir = workingDir.toAbsolutePath().normalize(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(".llmo");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static void add(MessageDigest digest, String name, String text) {
        digest.update((name + "\n" + text.length() + "\n" + text).getBytes(StandardCharsets.UTF_8));
    }

    private static MapNode read(ConfigLayer layer, String fileName, List<String> files, MessageDigest digest) {
        if (layer.dir() == null) {
            String resource = BUILT_IN_RESOURCES + fileName;
            try (InputStream in = ConfigLoader.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("the jar lacks " + resource);
                }
                String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                files.add("(built-in) " + fileName);
                add(digest, "(built-in) " + fileName, text);
                return YamlFiles.parse(text, "(built-in) " + fileName, layer.name());
            } catch (IOException e) {
                throw new IllegalStateException("cannot read built-in " + fileName, e);
            }
        }
        Path file = layer.dir().resolve(fileName);
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return null;
        } catch (java.nio.charset.MalformedInputException e) {
            throw new ConfigException(file + ": not valid UTF-8 text", "save the file as UTF-8", e);
        } catch (IOException e) {
            if (Files.isDirectory(file)) {
                return null;
            }
            throw new ConfigException(file + ": cannot read: " + e.getMessage(), "check the file's permissions", e);
        }
        files.add(file.toString());
        add(digest, file.toString(), text);
        return YamlFiles.parse(text, file.toString(), layer.name());
    }
}
