package dev.llmo.config;

import dev.llmo.config.ConfigNode.ListNode;
import dev.llmo.config.ConfigNode.MapNode;
import dev.llmo.config.ConfigNode.ScalarNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * The built-in config.yaml and models.yaml, parsed at build time: reading the YAML on every start cost
 * {@code llmo models} about a quarter of its time (snakeyaml and Jackson's YAML module, ~170 classes, then the
 * parse), while the trees never change between builds. The build runs {@link #main} after compiling; at run time
 * {@link #builtIn} returns the same trees {@link YamlFiles} would make, origins included.
 *
 * <p>Each file's length and CRC-32 are recorded with its tree: a snapshot that does not match the bytes beside it
 * (a resource edited without the build step, in an IDE say) is ignored and the YAML is parsed as before. The jar
 * is trusted; the check guards against staleness, not tampering.
 */
public final class ConfigSnapshot {
    static final String RESOURCE = "/dev/llmo/defaults/built-in.snapshot";
    private static final int MAGIC = 0x4c4d4f31; // "LMO1"
    private static final int ENTRY_MAGIC = 0x4c4d4332; // "LMC2"
    private static final byte MAP = 'M';
    private static final byte LIST = 'L';
    private static final byte TEXT = 'S';
    private static final byte WHOLE = 'J';
    private static final byte DECIMAL = 'D';
    private static final byte TRUE = 'T';
    private static final byte FALSE = 'F';
    private static final byte NULL = 'N';

    private ConfigSnapshot() {
    }

    /**
     * The build step: parses {@code config.yaml} and {@code models.yaml} in the directory and writes the snapshot;
     * with a classes directory as second argument, also bundles the three, and the files' part of the configuration's
     * digest, into a class there ({@link ResourceBundling}). With {@code --check JAR} (the packaging step), checks that
     * the bundle in the jar holds the jar's own files: a jar packed without the bundling step (an IDE's artifact, a
     * skipped plugin) would run with the previous build's built-in configuration, which nothing else would notice.
     */
    public static void main(String[] args) throws IOException {
        if (args.length == 2 && "--check".equals(args[0])) {
            checkBundle(Path.of(args[1]));
            return;
        }
        Path dir = Path.of(args[0]);
        Map<String, byte[]> sources = new LinkedHashMap<>();
        for (String name : List.of(ConfigLoader.CONFIG_FILE, ConfigLoader.MODELS_FILE)) {
            sources.put(name, Files.readAllBytes(dir.resolve(name)));
        }
        byte[] snapshot = encode(sources);
        Path target = dir.resolve(RESOURCE.substring(RESOURCE.lastIndexOf('/') + 1));
        Files.write(target, snapshot);
        if (args.length > 1) {
            ResourceBundling.write(Path.of(args[1]), bundle(sources, snapshot));
        }
    }

    /** What the bundle holds for these built-in files: the files, their snapshot, and their part of the digest. */
    static Map<String, byte[]> bundle(Map<String, byte[]> sources, byte[] snapshot) {
        Map<String, byte[]> bundle = new LinkedHashMap<>();
        sources.forEach((name, bytes) -> bundle.put(ConfigLoader.BUILT_IN_RESOURCES + name, bytes));
        bundle.put(RESOURCE, snapshot);
        List<String> names = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        sources.forEach((name, bytes) -> {
            names.add(ConfigLoader.builtInName(name));
            texts.add(ConfigFiles.text(bytes, ConfigLoader.builtInName(name)));
        });
        bundle.put(ConfigLoader.BUILT_IN_DIGEST, ConfigDigest.builtIn(names, texts).getBytes(StandardCharsets.US_ASCII));
        return bundle;
    }

    /** Fails unless the bundle this class was loaded with is the one {@code jar}'s built-in files make. */
    static void checkBundle(Path jar) throws IOException {
        Map<String, byte[]> sources = new LinkedHashMap<>();
        try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(jar.toFile())) {
            for (String name : List.of(ConfigLoader.CONFIG_FILE, ConfigLoader.MODELS_FILE)) {
                java.util.zip.ZipEntry entry = zip.getEntry(ConfigLoader.BUILT_IN_RESOURCES.substring(1) + name);
                if (entry == null) {
                    throw new IllegalStateException(jar + " lacks the built-in " + name);
                }
                try (InputStream in = zip.getInputStream(entry)) {
                    sources.put(name, in.readAllBytes());
                }
            }
        }
        for (Map.Entry<String, byte[]> expected : bundle(sources, encode(sources)).entrySet()) {
            if (!Arrays.equals(expected.getValue(), OwnResources.bundled(expected.getKey()))) {
                throw new IllegalStateException(jar + ": the bundled " + expected.getKey() + " is not the jar's own "
                        + "(packed without the build step that bundles it?); rebuild with 'mvn package'");
            }
        }
    }

    /** The built-in trees by file name when the bundled snapshot matches {@code sources}; otherwise null. */
    static Map<String, MapNode> builtIn(Map<String, byte[]> sources) {
        try (InputStream in = OwnResources.open(RESOURCE)) {
            return in == null ? null : decode(in.readAllBytes(), sources);
        } catch (IOException e) {
            return null;
        }
    }

    /** Parses each built-in file as {@link ConfigLoader} does and records the trees with the files' checks. */
    static byte[] encode(Map<String, byte[]> sources) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeInt(sources.size());
            for (Map.Entry<String, byte[]> source : sources.entrySet()) {
                String name = source.getKey();
                String file = ConfigLoader.builtInName(name);
                MapNode tree = YamlFiles.parse(ConfigFiles.text(source.getValue(), file), file, ConfigLayer.BUILT_IN);
                writeText(out, name);
                out.writeInt(source.getValue().length);
                out.writeLong(crc(source.getValue()));
                writeText(out, tree.origin().layer());
                writeText(out, tree.origin().file());
                write(out, tree);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** The trees in {@code snapshot} when it holds exactly {@code sources}, as they are now; otherwise null. */
    static Map<String, MapNode> decode(byte[] snapshot, Map<String, byte[]> sources) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(snapshot))) {
            if (in.readInt() != MAGIC || in.readInt() != sources.size()) {
                return null;
            }
            Map<String, MapNode> trees = new LinkedHashMap<>();
            for (int i = 0; i < sources.size(); i++) {
                String name = readText(in);
                byte[] source = sources.get(name);
                if (source == null || in.readInt() != source.length || in.readLong() != crc(source)) {
                    return null;
                }
                Reader reader = new Reader(in, readText(in), readText(in));
                trees.put(name, (MapNode) reader.read());
            }
            return trees;
        } catch (IOException | RuntimeException e) {
            return null; // not a snapshot this code wrote: parse the YAML instead
        }
    }

    /**
     * One file's entry of {@link ConfigTreeCache}: the build that parsed it, the file's layer, name and exact bytes,
     * then its tree.
     */
    static byte[] encodeEntry(String build, String layer, String file, byte[] source, MapNode tree) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(source.length * 2 + 256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(ENTRY_MAGIC);
            writeText(out, build);
            writeText(out, layer);
            writeText(out, file);
            out.writeInt(source.length);
            out.write(source);
            write(out, tree);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * The tree in {@code entry} when it was written by {@code build} for exactly this layer, file name and bytes;
     * otherwise (or when it is damaged or not an entry at all) null. Every length is checked against what is left
     * of the entry before anything is allocated for it.
     */
    static MapNode decodeEntry(byte[] entry, String build, String layer, String file, byte[] source) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(entry))) {
            if (in.readInt() != ENTRY_MAGIC || !build.equals(readText(in)) || !layer.equals(readText(in))
                    || !file.equals(readText(in)) || in.readInt() != source.length) {
                return null;
            }
            byte[] recorded = new byte[source.length];
            in.readFully(recorded);
            if (!java.util.Arrays.equals(recorded, source)) {
                return null;
            }
            ConfigNode tree = new Reader(in, layer, file).read();
            return in.available() == 0 && tree instanceof MapNode map ? map : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static long crc(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return crc.getValue();
    }

    private static void write(DataOutputStream out, ConfigNode node) throws IOException {
        writeOrigin(out, node.origin());
        if (node instanceof MapNode map) {
            out.writeByte(MAP);
            out.writeInt(map.entries().size());
            for (Map.Entry<String, ConfigNode> entry : map.entries().entrySet()) {
                writeText(out, entry.getKey());
                writeOrigin(out, map.keyOrigin(entry.getKey()));
                write(out, entry.getValue());
            }
        } else if (node instanceof ListNode list) {
            out.writeByte(LIST);
            out.writeInt(list.items().size());
            for (ConfigNode item : list.items()) {
                write(out, item);
            }
        } else {
            Object value = ((ScalarNode) node).value();
            if (value == null) {
                out.writeByte(NULL);
            } else if (value instanceof String text) {
                out.writeByte(TEXT);
                writeText(out, text);
            } else if (value instanceof Long whole) {
                out.writeByte(WHOLE);
                out.writeLong(whole);
            } else if (value instanceof BigDecimal decimal) {
                out.writeByte(DECIMAL);
                writeText(out, decimal.toString()); // new BigDecimal(toString()) has the same value and scale
            } else if (value instanceof Boolean flag) {
                out.writeByte(flag ? TRUE : FALSE);
            } else {
                throw new IllegalArgumentException("a YAML value of type " + value.getClass().getName());
            }
        }
    }

    // Every origin of one file shares its layer and file name: only the position is written.
    private static void writeOrigin(DataOutputStream out, Origin origin) throws IOException {
        out.writeInt(origin.line());
        out.writeInt(origin.column());
    }

    // Lengths as ints: DataOutputStream.writeUTF stops at 64 KiB, a built-in prompt need not.
    private static void writeText(DataOutputStream out, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static String readText(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > in.available()) { // a damaged cache entry must not make us allocate gigabytes
            throw new IOException("a text longer than what is left");
        }
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Reads the nodes of one file, whose origins all name the same layer and file. */
    private static final class Reader {
        private final DataInputStream in;
        private final String layer;
        private final String file;

        Reader(DataInputStream in, String layer, String file) {
            this.in = in;
            this.layer = layer;
            this.file = file;
        }

        ConfigNode read() throws IOException {
            return read(1);
        }

        // the depth and counts are the parser's limits: a damaged cache entry must not exhaust the stack or memory
        private ConfigNode read(int depth) throws IOException {
            Origin origin = origin();
            byte kind = in.readByte();
            if ((kind == MAP || kind == LIST) && depth > YamlFiles.MAX_DEPTH + 1) {
                throw new IOException("nested deeper than a parsed file can be");
            }
            switch (kind) {
                case MAP: {
                    int size = count();
                    Map<String, ConfigNode> entries = new LinkedHashMap<>();
                    Map<String, Origin> keyOrigins = new HashMap<>();
                    for (int i = 0; i < size; i++) {
                        String key = readText(in);
                        keyOrigins.put(key, origin());
                        entries.put(key, read(depth + 1));
                    }
                    return new MapNode(entries, keyOrigins, origin);
                }
                case LIST: {
                    int size = count();
                    List<ConfigNode> items = new ArrayList<>(size);
                    for (int i = 0; i < size; i++) {
                        items.add(read(depth + 1));
                    }
                    return new ListNode(items, origin);
                }
                case TEXT:
                    return new ScalarNode(readText(in), origin);
                case WHOLE:
                    return new ScalarNode(in.readLong(), origin);
                case DECIMAL:
                    return new ScalarNode(new BigDecimal(readText(in)), origin);
                case TRUE:
                    return new ScalarNode(Boolean.TRUE, origin);
                case FALSE:
                    return new ScalarNode(Boolean.FALSE, origin);
                case NULL:
                    return new ScalarNode(null, origin);
                default:
                    throw new IOException("unknown node kind " + kind);
            }
        }

        private Origin origin() throws IOException {
            return new Origin(layer, file, in.readInt(), in.readInt());
        }

        // each node takes at least nine bytes (its origin and kind)
        private int count() throws IOException {
            int size = in.readInt();
            if (size < 0 || size > in.available() / 9) {
                throw new IOException("more nodes than bytes left");
            }
            return size;
        }
    }
}
