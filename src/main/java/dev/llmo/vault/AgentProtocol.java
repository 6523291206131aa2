package dev.llmo.vault;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.FileSystems;
import java.nio.file.attribute.UserPrincipal;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * The few bytes {@link VaultSession} (the client in every llmo process) and {@link VaultAgent} (the process that
 * holds the key) exchange over the agent's Unix-domain socket. A request is one operation byte, followed by the
 * session token for {@link #KEY} and {@link #STATUS}; an answer starts with {@link #OK} or {@link #REFUSED}.
 *
 * <pre>
 *   KEY    'K' token[32]  →  'O' iterations:int32 saltLength:int16 salt key[32] expiresEpochMillis:int64
 *   STATUS 'S' token[32]  →  'O' expiresEpochMillis:int64
 *   LOCK   'L'            →  'O', then the agent wipes the key and exits (any process of the same user may end it)
 * </pre>
 */
final class AgentProtocol {
    static final byte KEY = 'K';
    static final byte STATUS = 'S';
    static final byte LOCK = 'L';
    static final byte OK = 'O';
    static final byte REFUSED = 'N';
    static final int TOKEN_BYTES = 32;
    /** How long either side waits for the other before it gives up on a connection. */
    static final long IO_TIMEOUT_MS = 5_000;

    private AgentProtocol() {
    }

    /**
     * This process's user: the JDK's {@code user.name} (from the password database entry of the real user id), or,
     * for a user id without an entry (some containers), the owner of {@code /proc/self}.
     */
    static UserPrincipal currentUser() throws IOException {
        UserPrincipal user = currentUser;
        if (user == null) {
            try {
                user = FileSystems.getDefault().getUserPrincipalLookupService()
                        .lookupPrincipalByName(System.getProperty("user.name"));
            } catch (IOException e) {
                user = java.nio.file.Files.getOwner(java.nio.file.Path.of("/proc/self"));
            }
            currentUser = user;
        }
        return user;
    }

    // a process's user does not change: looked up once (each lookup reads the password database)
    private static volatile UserPrincipal currentUser;

    /** Whether the process at the other end of {@code channel} runs as {@code user} (SO_PEERCRED, from the kernel). */
    static boolean peerIs(SocketChannel channel, UserPrincipal user) {
        try {
            UnixDomainPrincipal peer = channel.getOption(ExtendedSocketOptions.SO_PEERCRED);
            return peer != null && peer.user().equals(user);
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** Reads exactly {@code buffer.remaining()} bytes. */
    static void readFully(SocketChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                throw new IOException("the other side closed the connection");
            }
        }
        buffer.flip();
    }

    static void writeFully(SocketChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }
}
