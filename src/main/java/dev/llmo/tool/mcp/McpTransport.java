package dev.llmo.tool.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmo.failure.LlmoException;

/**
 * How JSON-RPC messages reach one MCP server and come back (MCP 2025-11-25, "Transports"): over a child's stdin and
 * stdout, or over Streamable HTTP. The protocol itself (handshake, ids, timeouts, cancellation) is
 * {@link McpClient}'s, the same for both.
 */
interface McpTransport {
    /** Starts delivering the server's messages to {@code inbound}; called once, before the first {@link #send}. */
    void start(Inbound inbound);

    /**
     * Sends one message. A request's answer arrives through {@link Inbound}; a failure to deliver a notification
     * or an answer is thrown.
     */
    void send(JsonNode message);

    /** The handshake agreed on this revision (HTTP sends it on every later request). */
    void negotiated(String protocolVersion);

    /** Where to look when the server misbehaves, for the fix of an error: {@code check its log PATH}. */
    String hint();

    /** Ends the connection, and with it the server when llmo started it. Idempotent. */
    void close();

    /** Where a transport delivers what the server sent. Called from the transport's threads. */
    interface Inbound {
        /** A message the server sent: an answer, a notification or a request. */
        void message(JsonNode message);

        /** The request with this id cannot be answered (HTTP: its POST failed, or {@link SessionExpired}). */
        void failed(long requestId, RuntimeException failure);

        /** The connection is gone: every pending and later request fails with this. */
        void broken(LlmoException failure);
    }

    /** HTTP only: the server no longer knows the session (404); the client starts a new one and retries once. */
    final class SessionExpired extends RuntimeException {
        SessionExpired() {
            super("session expired", null, false, false);
        }
    }
}
