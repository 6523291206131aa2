package dev.llmo.config;

import dev.llmo.config.ConfigNode.MapNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads config.yaml and models.yaml from every layer (built-in → /etc/llmo → user → nearest .llmo/ → env) and
 * merges them into {@link Settings}. Command-line flags are the last layer and are applied by the commands.
 *
 * <p>The project layer comes with whatever repository the user is in: unless {@code llmo trust} recorded it with
 * these exact files, what it sets is checked against the trusted layers below it ({@link TrustRules}) and any
 * violation is kept in the settings, to stop llmo before it resolves a key or sends anything.
 */
public final class ConfigLoader {
    public static final String CONFIG_FILE = "config.yaml";
    public static final String MODELS_FILE = "models.yaml";
    public static final String PROJECT_DIR = ".llmo";
    /** The directory of saved templates, in the user config dir and in a project's {@code .llmo/}. */
    public static final String TEMPLATES_DIR = "templates";
    /** The most templates one directory may hold. */
    public static final int MAX_TEMPLATES = 1000;
    static final String BUILT_IN_RESOURCES = "/dev/llmo/defaults/";
    /** The built-in files' part of the configuration's digest, which the build bundles (ConfigDigest). */
    static final String BUILT_IN_DIGEST = BUILT_IN_RESOURCES + "built-in.sha256";

    private ConfigLoader() {
    }

    public static Settings load(AppDirs dirs, Path workingDir, Map<String, String> env) {
        return load(dirs, workingDir, env, null);
    }

    /** As {@link #load(AppDirs, Path, Map)}, with the trees of files parsed before taken from {@code trees}. */
    public static Settings load(AppDirs dirs, Path workingDir, Map<String, String> env, ConfigTreeCache trees) {
        MapNode config = new MapNode(Map.of(), Origin.of(ConfigLayer.BUILT_IN, CONFIG_FILE));
        MapNode models = new MapNode(Map.of(), Origin.of(ConfigLayer.BUILT_IN, MODELS_FILE));
        List<String> files = new ArrayList<>();
        ConfigDigest digest = new ConfigDigest();
        ProjectTrust project = null;
        MapNode trustedConfig = config;
        MapNode trustedModels = models;
        MapNode projectConfig = null;
        MapNode projectModels = null;
        MapNode builtInModels = null;
        for (ConfigLayer layer : layers(dirs, workingDir)) {
            Map<String, byte[]> contents = layer.dir() == null ? builtIn() : layerFiles(layer.dir());
            Map<String, MapNode> snapshot = layer.dir() == null ? ConfigSnapshot.builtIn(contents) : null;
            byte[] builtInDigest = layer.dir() == null ? OwnResources.bundledInJar(BUILT_IN_DIGEST) : null;
            if (builtInDigest != null) {
                digest.builtInDigest(new String(builtInDigest, StandardCharsets.US_ASCII));
            }
            MapNode layerConfig = null;
            MapNode layerModels = null;
            for (Map.Entry<String, byte[]> file : contents.entrySet()) {
                String name = layer.dir() == null ? builtInName(file.getKey())
                        : layer.dir().resolve(file.getKey()).toString();
                String text = ConfigFiles.text(file.getValue(), name);
                files.add(name);
                if (layer.dir() == null) {
                    digest.addBuiltIn(name, text);
                } else {
                    digest.add(name, text);
                }
                MapNode parsed = snapshot != null ? snapshot.get(file.getKey())
                        : trees != null ? trees.parse(file.getValue(), text, name, layer.name())
                        : YamlFiles.parse(text, name, layer.name());
                if (file.getKey().equals(CONFIG_FILE)) {
                    layerConfig = parsed;
                } else {
                    layerModels = parsed;
                    if (layer.dir() == null) {
                        builtInModels = parsed;
                    }
                }
            }
            if (ConfigLayer.PROJECT.equals(layer.name())) {
                project = trustOf(dirs, layer.dir(), withTemplates(layer.dir(), contents));
                trustedConfig = config;
                trustedModels = models;
                projectConfig = layerConfig;
                projectModels = layerModels;
            }
            if (layerConfig != null) {
                config = ConfigMerge.merge(config, layerConfig);
            }
            if (layerModels != null) {
                models = ConfigMerge.merge(models, layerModels);
            }
        }
        List<TrustViolation> untrusted = project == null || project.trusted() ? List.of()
                : TrustRules.check(trustedConfig, trustedModels, projectConfig, projectModels);
        Settings settings = SettingsBinder.bind(config, models, builtInModels, env, files, digest, project, untrusted);
        if (project != null && !project.trusted()) {
            // these need the merged, typed catalog: where each model reference leads, what each model costs
            List<TrustViolation> all = new ArrayList<>(untrusted);
            all.addAll(TrustRules.references(ModelReferences.in(config, settings.mainModel()), settings.catalog(), trustedModels));
            all.addAll(TrustRules.capturedNames(settings.catalog(), trustedModels));
            all.addAll(EstimateRules.check(settings.catalog(), trustedModels, projectModels));
            settings = settings.withUntrusted(all);
        }
        return settings;
    }

    /** The file layers in order, lowest first; layers whose directory does not exist are still listed. */
    public static List<ConfigLayer> layers(AppDirs dirs, Path workingDir) {
        List<ConfigLayer> layers = new ArrayList<>();
        layers.add(new ConfigLayer(ConfigLayer.BUILT_IN, null));
        layers.add(new ConfigLayer(ConfigLayer.SYSTEM, dirs.systemConfigDir()));
        layers.add(new ConfigLayer(ConfigLayer.USER, dirs.configDir()));
        Path project = nearestProjectDir(workingDir);
        // The user's own config dir found as a project (LLMO_HOME=~/proj/.llmo) is the trusted user layer, once.
        if (project != null && !sameDirectory(project, dirs.configDir())) {
            layers.add(new ConfigLayer(ConfigLayer.PROJECT, project));
        }
        return layers;
    }

    /** The nearest {@code .llmo/} directory at or above {@code workingDir}, or null. */
    public static Path nearestProjectDir(Path workingDir) {
        for (Path dir = workingDir.toAbsolutePath().normalize(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(PROJECT_DIR);
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    /**
     * The trust of the project configuration in {@code configDir} (a {@code .llmo/} directory) as its files are
     * now: its root's real path, the digest of its files, and what the user's trust file says of them.
     */
    public static ProjectTrust projectTrust(AppDirs dirs, Path configDir) {
        Path dir = configDir.toAbsolutePath().normalize();
        return trustOf(dirs, dir, withTemplates(dir, layerFiles(dir)));
    }

    /**
     * What trust covers: the configuration files, then each template of {@code templates/} (sorted by name), since a
     * template can name tools and models too. A project without templates keeps the digest it had before templates.
     */
    static Map<String, byte[]> withTemplates(Path configDir, Map<String, byte[]> configFiles) {
        Path templates = configDir.resolve(TEMPLATES_DIR);
        if (!Files.isDirectory(templates)) {
            return configFiles;
        }
        List<String> names = new ArrayList<>();
        try (java.util.stream.Stream<Path> files = Files.list(templates)) {
            files.map(file -> file.getFileName().toString()).filter(name -> name.endsWith(".yaml"))
                    .limit(MAX_TEMPLATES + 1L).forEach(names::add);
        } catch (IOException e) {
            throw new dev.llmo.failure.ConfigException(templates + ": cannot list: " + e.getMessage(),
                    "check the directory's permissions", e);
        }
        if (names.size() > MAX_TEMPLATES) {
            throw new dev.llmo.failure.ConfigException(templates + ": more than " + MAX_TEMPLATES + " templates",
                    "a project needs a few; check that this is the directory you meant");
        }
        names.sort(null);
        Map<String, byte[]> all = new LinkedHashMap<>(configFiles);
        for (String name : names) {
            byte[] bytes = ConfigFiles.read(templates.resolve(name));
            if (bytes != null) {
                all.put(TEMPLATES_DIR + "/" + name, bytes);
            }
        }
        return all;
    }

    /** The configuration files of one directory that exist, config.yaml then models.yaml, as bytes. */
    static Map<String, byte[]> layerFiles(Path dir) {
        Map<String, byte[]> contents = new LinkedHashMap<>();
        for (String name : List.of(CONFIG_FILE, MODELS_FILE)) {
            byte[] bytes = ConfigFiles.read(dir.resolve(name));
            if (bytes != null) {
                contents.put(name, bytes);
            }
        }
        return contents;
    }

    private static ProjectTrust trustOf(AppDirs dirs, Path configDir, Map<String, byte[]> contents) {
        Path root = realPath(configDir.getParent());
        String digest = TrustStore.digest(contents);
        ProjectTrust.Status status = new TrustStore(dirs.trustFile()).find(root)
                .map(entry -> entry.digest().equals(digest) ? ProjectTrust.Status.TRUSTED : ProjectTrust.Status.CHANGED)
                .orElse(ProjectTrust.Status.UNTRUSTED);
        return new ProjectTrust(configDir, root, digest, status);
    }

    static Path realPath(Path dir) {
        try {
            return dir.toRealPath();
        } catch (IOException e) {
            return dir.toAbsolutePath().normalize();
        }
    }

    private static boolean sameDirectory(Path a, Path b) {
        try {
            return a.equals(b) || Files.isDirectory(b) && Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }

    /** How errors and {@code llmo models} name a built-in file. */
    static String builtInName(String file) {
        return "(built-in) " + file;
    }

    static Map<String, byte[]> builtIn() {
        Map<String, byte[]> contents = new LinkedHashMap<>();
        for (String name : List.of(CONFIG_FILE, MODELS_FILE)) {
            String resource = BUILT_IN_RESOURCES + name;
            try (InputStream in = OwnResources.open(resource)) {
                if (in == null) {
                    throw new IllegalStateException("the jar lacks " + resource);
                }
                contents.put(name, in.readAllBytes());
            } catch (IOException e) {
                throw new IllegalStateException("cannot read built-in " + name, e);
            }
        }
        return contents;
    }
}
