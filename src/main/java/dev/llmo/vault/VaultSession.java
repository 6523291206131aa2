package dev.llmo.vault;

import dev.llmo.failure.FailureException;
import java.io.BufferedReader;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An unlocked-vault session ({@code llmo vault unlock}, docs/architecture/adr-007-vault-session.md): a
 * {@link VaultAgent} process holds the derived vault key in memory, listening on a Unix-domain socket in a directory
 * only the user can enter; {@value #ENV} names the socket and carries a random token the agent asks for. Commands
 * of a shell that has the variable get the key from the agent: no password, no key derivation. The key is never
 * written to a file; the variable is removed from every child process's environment.
 */
public final class VaultSession {
    /** The variable {@code eval "$(llmo vault unlock)"} sets: the agent's socket and the session token. */
    public static final String ENV = "LLMO_VAULT_SESSION";
    /** How long a session lasts when {@code --for} is not given. */
    public static final Duration DEFAULT_DURATION = Duration.ofMinutes(15);
    /** The longest session: a forgotten one still ends the same day. */
    public static final Duration MAX_DURATION = Duration.ofHours(24);
    private static final String SOCKET_PREFIX = "agent-";
    private static final String SOCKET_SUFFIX = ".sock";
    private static final int SOCKET_ID_BYTES = 8;
    /** sun_path holds 108 bytes on Linux, 104 on macOS. */
    private static final int MAX_SOCKET_PATH = 100;
    /** A JVM starting on a busy machine: seconds, not minutes. */
    private static final long START_TIMEOUT_S = 30;

    private final Path socket;
    private final byte[] token;

    private VaultSession(Path socket, byte[] token) {
        this.socket = socket;
        this.token = token;
    }

    /** The session named by {@value #ENV}, if it is set and well formed (it may have ended since). */
    public static Optional<VaultSession> fromEnvironment(Map<String, String> env) {
        String value = env.get(ENV);
        if (value == null) {
            return Optional.empty();
        }
        int hash = value.lastIndexOf('#');
        if (hash <= 0) {
            return Optional.empty();
        }
        try {
            byte[] token = Base64.getUrlDecoder().decode(value.substring(hash + 1));
            Path socket = Path.of(value.substring(0, hash));
            return token.length == AgentProtocol.TOKEN_BYTES && socket.isAbsolute()
                    ? Optional.of(new VaultSession(socket, token)) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * Why this session's agent is not asked even if it runs: its socket's directory is another user's, or open to
     * others (a {@code chmod} since {@code unlock}). Empty when nothing but the agent itself can tell.
     */
    public Optional<String> refusal() {
        Path directory = socket.getParent();
        if (directory == null || !Files.exists(directory, LinkOption.NOFOLLOW_LINKS) || isPrivate(directory)) {
            return Optional.empty();
        }
        if (Files.isSymbolicLink(directory)) {
            return Optional.of("its directory " + directory + " is a link, and only a real directory of yours is "
                    + "used (fix: remove the link and unlock again)");
        }
        Optional<UserPrincipal> owner = otherOwner(directory);
        return Optional.of(owner.isPresent()
                ? "its directory " + directory + " belongs to another user (" + owner.get().getName() + ")"
                : "its directory " + directory + " is not private to you (fix: chmod 700 " + directory + ")");
    }

    /** The value of {@value #ENV} for this session. */
    public String environmentValue() {
        return socket + "#" + Base64.getUrlEncoder().withoutPadding().encodeToString(token);
    }

    /** Where the agent listens. */
    public Path socket() {
        return socket;
    }

    /**
     * The directory of the agents' sockets: {@code $XDG_RUNTIME_DIR/llmo} (a per-user tmpfs that the system empties
     * at logout), else {@code sessions} in the user's cache directory ({@code $XDG_CACHE_HOME/llmo}, else
     * {@code ~/.cache/llmo}): a place in the user's own home, where no other user can create it first, as they could
     * in the shared, sticky {@code /tmp}. Only when that path is too long for a socket's address is it
     * {@code <java.io.tmpdir>/llmo-<user>}, which {@link #start} refuses when another user made it.
     */
    public static Path directory(Map<String, String> env) {
        String runtime = env.get("XDG_RUNTIME_DIR");
        if (runtime != null && !runtime.isEmpty() && Path.of(runtime).isAbsolute() && Files.isDirectory(Path.of(runtime))) {
            return Path.of(runtime, "llmo");
        }
        String cache = env.get("XDG_CACHE_HOME");
        String home = env.getOrDefault("HOME", System.getProperty("user.home"));
        Path base = cache != null && Path.of(cache).isAbsolute() ? Path.of(cache)
                : home != null && Path.of(home).isAbsolute() ? Path.of(home, ".cache") : null;
        if (base != null) {
            Path sessions = base.resolve("llmo").resolve("sessions");
            if (fits(sessions)) {
                return sessions;
            }
        }
        return temporaryDirectory();
    }

    /** {@code <java.io.tmpdir>/llmo-<user>}: the directory of last resort, when the cache's path is too long. */
    private static Path temporaryDirectory() {
        return Path.of(System.getProperty("java.io.tmpdir"), "llmo-" + System.getProperty("user.name"));
    }

    /** Whether a socket's path in {@code directory} fits in a socket's address. */
    private static boolean fits(Path directory) {
        return directory.resolve(SOCKET_PREFIX + "0".repeat(2 * SOCKET_ID_BYTES) + SOCKET_SUFFIX).toString()
                .getBytes(StandardCharsets.UTF_8).length <= MAX_SOCKET_PATH;
    }

    /**
     * Starts an agent holding {@code vault}'s key for {@code duration}, and returns its session once it listens.
     *
     * @throws FailureException when the directory is not private to the user, or the agent cannot be started (exit 1)
     */
    public static VaultSession start(UnlockedVault vault, Duration duration, Map<String, String> env) {
        if (duration.isNegative() || duration.isZero() || duration.compareTo(MAX_DURATION) > 0) {
            throw new IllegalArgumentException("session duration out of range: " + duration);
        }
        Path directory = privateDirectory(directory(env));
        SecureRandom random = dev.llmo.secret.JdkCrypto.random();
        byte[] id = new byte[SOCKET_ID_BYTES];
        random.nextBytes(id);
        Path socket = directory.resolve(SOCKET_PREFIX + HexFormat.of().formatHex(id) + SOCKET_SUFFIX);
        if (socket.toString().getBytes(StandardCharsets.UTF_8).length > MAX_SOCKET_PATH) {
            throw new FailureException("the path of the vault session's socket is too long: " + socket,
                    "set XDG_RUNTIME_DIR to a directory of yours with a shorter path");
        }
        byte[] token = new byte[AgentProtocol.TOKEN_BYTES];
        random.nextBytes(token);
        VaultKey key = vault.key();
        long expires = System.currentTimeMillis() + duration.toMillis();
        Process agent = spawn(socket);
        try {
            hand(agent.getOutputStream(), token, expires, key);
            String answer = firstLine(agent);
            if (!"ready".equals(answer)) {
                throw new FailureException("the vault session could not start"
                        + (answer == null || answer.isEmpty() ? "" : ": " + answer.replaceFirst("^error: ", "")),
                        "run 'llmo vault unlock' again; without a session llmo asks for the password when it needs it");
            }
        } catch (RuntimeException e) {
            agent.destroy();
            Arrays.fill(token, (byte) 0);
            throw e;
        }
        return new VaultSession(socket, token);
    }

    /**
     * The vault key from the agent, if this session is alive and the agent accepts its token; empty when it ended,
     * expired or was never there (the caller then asks for the password as without a session).
     */
    Optional<VaultKey> key() {
        return ask(AgentProtocol.KEY, channel -> {
            ByteBuffer head = answer(channel, 4 + 2);
            int iterations = head.getInt();
            byte[] salt = new byte[Short.toUnsignedInt(head.getShort())];
            byte[] key = new byte[VaultCodec.KEY_BYTES];
            ByteBuffer rest = answer(channel, salt.length + key.length);
            rest.get(salt).get(key);
            Arrays.fill(rest.array(), (byte) 0);
            return new VaultKey(key, salt, iterations);
        });
    }

    /** When this session ends, if it is alive. */
    public Optional<Instant> expires() {
        return ask(AgentProtocol.STATUS, channel -> Instant.ofEpochMilli(answer(channel, 8).getLong()));
    }

    /** Ends this session's agent; false when it had ended already. */
    public boolean lock() {
        return lock(socket);
    }

    /**
     * Ends every vault session of this user, and removes sockets left by agents that were killed. The agents are
     * looked for in every directory of the user's that {@link #directory} may choose (also one opened to others
     * since), not only the one it chooses here: a session unlocked in a shell without {@code XDG_RUNTIME_DIR} (a cron
     * job, ssh without a login session) listens in the cache directory, one whose path was too long in the temporary
     * directory. An agent removes its socket before it answers a lock, so a session the caller has just locked is not
     * counted again.
     *
     * @return how many agents were running
     */
    public static int lockAll(Map<String, String> env) {
        Map<String, String> withoutRuntime = new java.util.HashMap<>(env);
        withoutRuntime.remove("XDG_RUNTIME_DIR");
        Set<Path> directories = new LinkedHashSet<>(List.of(directory(env), directory(withoutRuntime),
                temporaryDirectory()));
        List<Path> sockets = new ArrayList<>();
        for (Path directory : directories) {
            if (!ownDirectory(directory)) {
                continue; // another user's directory, or a link: nothing in it is asked to lock
            }
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory,
                    SOCKET_PREFIX + "*" + SOCKET_SUFFIX)) {
                entries.forEach(sockets::add);
            } catch (IOException e) {
                // unreadable: no session of ours can be in it
            }
        }
        int locked = 0;
        for (Path socket : sockets) {
            if (lock(socket)) {
                locked++;
            } else {
                try {
                    Files.deleteIfExists(socket);
                } catch (IOException e) {
                    // left for the next lock
                }
            }
        }
        return locked;
    }

    private static boolean lock(Path socket) {
        try (SocketChannel channel = connectToLock(socket)) {
            if (channel == null) {
                return false;
            }
            AgentProtocol.writeFully(channel, ByteBuffer.wrap(new byte[] {AgentProtocol.LOCK}));
            ByteBuffer answer = ByteBuffer.allocate(1);
            AgentProtocol.readFully(channel, answer);
            return answer.get() == AgentProtocol.OK;
        } catch (IOException e) {
            return false;
        }
    }

    private interface Reader<T> {
        T read(SocketChannel channel) throws IOException;
    }

    /** Sends {@code operation} with the token; the answer after its OK byte, or empty for no (usable) agent. */
    private <T> Optional<T> ask(byte operation, Reader<T> reader) {
        SocketChannel opened;
        try {
            opened = connect(socket);
        } catch (IOException e) {
            return Optional.empty();
        }
        if (opened == null) {
            return Optional.empty();
        }
        try (SocketChannel channel = opened; Deadline deadline = new Deadline(channel)) {
            ByteBuffer request = ByteBuffer.allocate(1 + token.length).put(operation).put(token).flip();
            AgentProtocol.writeFully(channel, request);
            ByteBuffer status = ByteBuffer.allocate(1);
            AgentProtocol.readFully(channel, status);
            if (status.get() != AgentProtocol.OK) {
                return Optional.empty();
            }
            return Optional.of(reader.read(channel));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static ByteBuffer answer(SocketChannel channel, int bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(bytes);
        AgentProtocol.readFully(channel, buffer);
        return buffer;
    }

    /**
     * A connection to the agent at {@code socket}, or null when none listens there or it is not this user's: the
     * socket must be in a directory private to the user, and the kernel must say the listening process is the user's.
     */
    private static SocketChannel connect(Path socket) throws IOException {
        if (socket.getParent() == null || !isPrivate(socket.getParent()) || !Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        return connectToOwnAgent(socket);
    }

    /**
     * A connection to lock the agent at {@code socket}: as {@link #connect}, but in any real directory of the user's,
     * private or not. Locking hands out nothing, and the kernel still vouches for the agent being the user's; an agent
     * whose directory was opened to others after {@code unlock} (which {@link #refusal} reports) must still be
     * closable, or it would hold the key until it expires.
     */
    private static SocketChannel connectToLock(Path socket) throws IOException {
        if (socket.getParent() == null || !ownDirectory(socket.getParent())
                || !Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        return connectToOwnAgent(socket);
    }

    /** A connection to the agent at {@code socket} when the kernel says it is this user's; else null. */
    private static SocketChannel connectToOwnAgent(Path socket) throws IOException {
        dev.llmo.secret.JdkCrypto.setUpUnixDomainSockets();
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.connect(UnixDomainSocketAddress.of(socket));
            if (!AgentProtocol.peerIs(channel, AgentProtocol.currentUser())) {
                channel.close();
                return null;
            }
            return channel;
        } catch (IOException e) {
            channel.close();
            return null;
        }
    }

    /**
     * Closes the channel if the agent has not answered in time (a stopped agent must not hang a command). A plain
     * sleeping thread, as in the agent: a timer pool (CompletableFuture.orTimeout) cost every run that asks the
     * agent its classes and its thread.
     */
    private static final class Deadline implements AutoCloseable {
        private final Thread timer;

        Deadline(SocketChannel channel) {
            timer = new Thread(() -> {
                try {
                    Thread.sleep(AgentProtocol.IO_TIMEOUT_MS);
                    channel.close();
                } catch (InterruptedException | IOException e) {
                    // answered in time, or closing is all that was wanted
                }
            }, "llmo-vault-session-timeout");
            timer.setDaemon(true);
            timer.start();
        }

        @Override
        public void close() {
            timer.interrupt();
        }
    }

    /** The socket directory, created 0700 if missing; refused unless it is a real directory, the user's, 0700. */
    static Path privateDirectory(Path directory) {
        try {
            Files.createDirectories(directory.getParent());
            try {
                Files.createDirectory(directory, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // checked below
            }
        } catch (IOException e) {
            throw new FailureException("cannot create the directory of vault sessions " + directory + ": " + e.getMessage(),
                    "check its parent's permissions, or set XDG_RUNTIME_DIR to a directory of yours");
        }
        Optional<UserPrincipal> owner = otherOwner(directory);
        if (owner.isPresent()) {
            // another user made it first (in a shared /tmp): no chmod of ours can fix that, and it must not be used
            throw new FailureException("the directory of vault sessions " + directory + " belongs to another user ("
                    + owner.get().getName() + ")", "set XDG_RUNTIME_DIR to a directory of your own with mode 0700, "
                    + "e.g. mkdir -m 700 ~/.run && export XDG_RUNTIME_DIR=~/.run");
        }
        if (!isPrivate(directory)) {
            throw new FailureException("the directory of vault sessions " + directory + " is not private to you "
                    + "(it must be your own directory with mode 0700, not a link)",
                    "remove it, or fix it with 'chmod 700 " + directory + "' if it is yours");
        }
        return directory;
    }

    /** The owner of {@code directory} (not followed if a link) when it is not this user, else empty. */
    private static Optional<UserPrincipal> otherOwner(Path directory) {
        try {
            UserPrincipal owner = Files.getOwner(directory, LinkOption.NOFOLLOW_LINKS);
            return owner.equals(AgentProtocol.currentUser()) ? Optional.empty() : Optional.of(owner);
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty();
        }
    }

    /** Whether {@code directory} is a directory (not a link) of this user's, whatever its mode. */
    private static boolean ownDirectory(Path directory) {
        return ownDirectoryAttributes(directory).isPresent();
    }

    /** Whether {@code directory} is a directory (not a link) of this user's that only the user may enter (0700). */
    private static boolean isPrivate(Path directory) {
        return ownDirectoryAttributes(directory).filter(attributes -> PosixFilePermissions
                .toString(attributes.permissions()).equals("rwx------")).isPresent();
    }

    private static Optional<PosixFileAttributes> ownDirectoryAttributes(Path directory) {
        try {
            PosixFileAttributes attributes = Files.readAttributes(directory, PosixFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            return attributes.isDirectory() && attributes.owner().equals(AgentProtocol.currentUser())
                    ? Optional.of(attributes) : Optional.empty();
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty();
        }
    }

    /**
     * {@code java -cp <this program> dev.llmo.vault.VaultAgent SOCKET} with an empty environment (no secret of
     * this process reaches it), no core dumps, the attach mechanism off (no jcmd heap dump of the key), in {@code /}.
     */
    private static Process spawn(Path socket) {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of("/bin/sh", "-c", "ulimit -c 0 2>/dev/null; exec \"$@\"", "sh",
                java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx32m", "-XX:-UsePerfData",
                "-XX:+DisableAttachMechanism", "-Xshare:auto", "-cp", System.getProperty("java.class.path"),
                VaultAgent.class.getName(), socket.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).directory(Path.of("/").toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        builder.environment().clear();
        try {
            return builder.start();
        } catch (IOException e) {
            throw new FailureException("the vault session could not start: " + e.getMessage(),
                    "check that " + java + " can be run");
        }
    }

    /** The key material goes to the agent through a pipe: never through its arguments or environment. */
    private static void hand(OutputStream stdin, byte[] token, long expires, VaultKey key) {
        byte[] salt = key.salt();
        byte[] bytes = key.bytes();
        try (DataOutputStream out = new DataOutputStream(stdin)) {
            out.write(token);
            out.writeLong(expires);
            out.writeInt(key.iterations());
            out.writeShort(salt.length);
            out.write(salt);
            out.write(bytes);
        } catch (IOException e) {
            throw new FailureException("the vault session could not start: " + e.getMessage(),
                    "run 'llmo vault unlock' again");
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    private static String firstLine(Process agent) {
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(agent.getInputStream(),
                    StandardCharsets.UTF_8))) {
                return reader.readLine();
            } catch (IOException e) {
                return null;
            }
        });
        try {
            return line.get(START_TIMEOUT_S, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            return "it did not answer within " + START_TIMEOUT_S + " s";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (ExecutionException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return "VaultSession[" + socket + ", token redacted]";
    }
}
