package dev.llmo.vault;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * The process behind {@code llmo vault unlock} (docs/architecture/adr-007-vault-session.md): it holds one derived
 * vault key in memory and hands it over its Unix-domain socket to processes of the same user that present the
 * session token, until it expires or is locked. It never writes the key anywhere, prints nothing and reads no
 * environment (it is started with an empty one).
 *
 * <p>Started by {@link VaultSession#start} as {@code java -cp <llmo> dev.llmo.vault.VaultAgent SOCKET}; on stdin:
 * token[32], expiresEpochMillis:int64, iterations:int32, saltLength:int16, salt, key[32]. It answers "ready" on
 * stdout once it listens, then closes stdout. It ends at its expiry on the wall clock (checked every second, so a
 * machine that slept past it ends it on waking), on LOCK, on SIGTERM or SIGINT, and removes its socket when it ends.
 */
public final class VaultAgent {
    private final Path socket;
    private final byte[] token;
    private final long expiresEpochMillis;
    private final int iterations;
    private final byte[] salt;
    private final byte[] key;
    private final UserPrincipal owner;
    /** Guards the key, the token and {@link #ended}: an answer is built wholly before or wholly after a wipe. */
    private final Object state = new Object();
    private boolean ended;
    private volatile ServerSocketChannel server;

    private VaultAgent(Path socket, byte[] token, long expiresEpochMillis, int iterations, byte[] salt, byte[] key,
                       UserPrincipal owner) {
        this.socket = socket;
        this.token = token;
        this.expiresEpochMillis = expiresEpochMillis;
        this.iterations = iterations;
        this.salt = salt;
        this.key = key;
        this.owner = owner;
    }

    public static void main(String[] args) {
        PrintStream ready = System.out;
        VaultAgent agent;
        ServerSocketChannel server;
        try {
            if (args.length != 1) {
                throw new IOException("usage: VaultAgent SOCKET");
            }
            agent = read(Path.of(args[0]), System.in);
            server = agent.listen();
        } catch (IOException | RuntimeException e) {
            ready.println("error: " + e.getMessage());
            ready.flush();
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(agent::wipe, "llmo-vault-agent-exit"));
        agent.startExpiryWatch();
        ready.println("ready");
        ready.close();
        agent.serve(server);
    }

    private static VaultAgent read(Path socket, InputStream stdin) throws IOException {
        DataInputStream in = new DataInputStream(stdin);
        byte[] token = new byte[AgentProtocol.TOKEN_BYTES];
        in.readFully(token);
        long expires = in.readLong();
        int iterations = in.readInt();
        int saltLength = in.readUnsignedShort();
        byte[] salt = new byte[saltLength];
        in.readFully(salt);
        byte[] key = new byte[VaultCodec.KEY_BYTES];
        in.readFully(key);
        stdin.close();
        return new VaultAgent(socket, token, expires, iterations, salt, key, AgentProtocol.currentUser());
    }

    private ServerSocketChannel listen() throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        // the directory is 0700 already; the socket's own mode is a second wall
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        this.server = server;
        return server;
    }

    /** Ends the process at the expiry, by the wall clock: sleep does not count time the machine was suspended. */
    private void startExpiryWatch() {
        Thread watch = new Thread(() -> {
            while (true) {
                long left = expiresEpochMillis - System.currentTimeMillis();
                if (left <= 0) {
                    System.exit(0);
                }
                try {
                    Thread.sleep(Math.min(left, 1_000));
                } catch (InterruptedException e) {
                    System.exit(0);
                }
            }
        }, "llmo-vault-agent-expiry");
        watch.setDaemon(true);
        watch.start();
    }

    private void serve(ServerSocketChannel server) {
        while (true) {
            SocketChannel client;
            try {
                client = server.accept();
            } catch (IOException e) {
                if (hasEnded()) {
                    // a wipe closed the server socket; the LOCK handler that did it exits once its OK is written,
                    // and this bounds the wait should that client never read it
                    sleepQuietly(AgentProtocol.IO_TIMEOUT_MS);
                    System.exit(0);
                }
                System.exit(1);
                return;
            }
            Thread handler = new Thread(() -> answer(client), "llmo-vault-agent-client");
            handler.setDaemon(true);
            handler.start();
        }
    }

    private void answer(SocketChannel client) {
        // a client that connects and says nothing must not hold a thread for long
        Thread timeout = new Thread(() -> {
            try {
                Thread.sleep(AgentProtocol.IO_TIMEOUT_MS);
                client.close();
            } catch (InterruptedException | IOException e) {
                // answered in time, or already closed
            }
        }, "llmo-vault-agent-timeout");
        timeout.setDaemon(true);
        timeout.start();
        boolean lock = false;
        try (client) {
            if (!AgentProtocol.peerIs(client, owner)) {
                return;
            }
            ByteBuffer op = ByteBuffer.allocate(1);
            AgentProtocol.readFully(client, op);
            byte operation = op.get();
            if (operation == AgentProtocol.LOCK) {
                lock = true;
                // wiped before the OK: whoever reads the OK can rely on no key being handed out after it
                wipe();
                AgentProtocol.writeFully(client, ByteBuffer.wrap(new byte[] {AgentProtocol.OK}));
                return;
            }
            ByteBuffer presented = ByteBuffer.allocate(AgentProtocol.TOKEN_BYTES);
            AgentProtocol.readFully(client, presented);
            ByteBuffer answer = answerTo(operation, presented.array());
            try {
                AgentProtocol.writeFully(client, answer);
            } finally {
                Arrays.fill(answer.array(), (byte) 0);
            }
        } catch (IOException e) {
            // a client that went away: nothing to do
        } finally {
            timeout.interrupt();
            if (lock) {
                System.exit(0);
            }
        }
    }

    /** The whole answer to a KEY or STATUS request: REFUSED once ended (the zeroed token must match nothing). */
    private ByteBuffer answerTo(byte operation, byte[] presented) {
        synchronized (state) {
            if (ended || !MessageDigest.isEqual(presented, token)) {
                return ByteBuffer.wrap(new byte[] {AgentProtocol.REFUSED});
            }
            if (operation == AgentProtocol.KEY) {
                return ByteBuffer.allocate(1 + 4 + 2 + salt.length + key.length + 8)
                        .put(AgentProtocol.OK).putInt(iterations).putShort((short) salt.length).put(salt).put(key)
                        .putLong(expiresEpochMillis).flip();
            }
            if (operation == AgentProtocol.STATUS) {
                return ByteBuffer.allocate(9).put(AgentProtocol.OK).putLong(expiresEpochMillis).flip();
            }
            return ByteBuffer.wrap(new byte[] {AgentProtocol.REFUSED});
        }
    }

    private boolean hasEnded() {
        synchronized (state) {
            return ended;
        }
    }

    /**
     * Zeroes the key and the token, removes the socket and stops listening, so that nothing is answered after it;
     * runs on LOCK and on every exit but SIGKILL.
     */
    private void wipe() {
        synchronized (state) {
            ended = true;
            Arrays.fill(key, (byte) 0);
            Arrays.fill(token, (byte) 0);
        }
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            // a stale socket refuses connections; the next 'llmo vault lock' removes it
        }
        ServerSocketChannel listening = server;
        if (listening != null) {
            try {
                listening.close();
            } catch (IOException e) {
                // closed already
            }
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
