package dev.llmo;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import javax.net.ServerSocketFactory;
import okhttp3.mockwebserver.MockWebServer;

/**
 * The tests' MockWebServer, its connections with Nagle's algorithm off. MockWebServer writes a response's headers
 * and its body in two writes; with Nagle on, the body waits for the client's ACK of the headers, which Linux delays
 * by up to 40 ms: every answer of a test server took 40 ms longer than its work (in BatchRunTest's 2,000 calls, 18 s
 * of 20 were this wait, the CPUs idle).
 */
public final class MockServers {
    private MockServers() {
    }

    /** A MockWebServer, not started, whose accepted sockets send each write at once. */
    public static MockWebServer create() {
        MockWebServer server = new MockWebServer();
        server.setServerSocketFactory(new NoDelay());
        return server;
    }

    private static final class NoDelay extends ServerSocketFactory {
        @Override
        public ServerSocket createServerSocket() throws IOException {
            return new ServerSocket() {
                @Override
                public Socket accept() throws IOException {
                    Socket socket = super.accept();
                    socket.setTcpNoDelay(true);
                    return socket;
                }
            };
        }

        @Override
        public ServerSocket createServerSocket(int port) {
            throw new UnsupportedOperationException("MockWebServer makes its socket unbound");
        }

        @Override
        public ServerSocket createServerSocket(int port, int backlog) {
            throw new UnsupportedOperationException("MockWebServer makes its socket unbound");
        }

        @Override
        public ServerSocket createServerSocket(int port, int backlog, InetAddress address) {
            throw new UnsupportedOperationException("MockWebServer makes its socket unbound");
        }
    }
}
