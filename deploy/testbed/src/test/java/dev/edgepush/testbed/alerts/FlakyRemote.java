package dev.edgepush.testbed.alerts;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;

/**
 * A remote-write endpoint on loopback that accepts (204) or, once broken, rejects every push
 * with 400, which an edge-agent never retries: it drops the batch as {@code reason="rejected"}.
 */
final class FlakyRemote implements AutoCloseable {
    private final HttpServer server;
    private volatile boolean rejecting;

    FlakyRemote() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.createContext("/api/v1/write", ex -> {
            try (InputStream in = ex.getRequestBody()) {
                in.readAllBytes();
                if (rejecting) {
                    byte[] body =
                            "rejected by the test: bad series\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
                    ex.sendResponseHeaders(400, body.length);
                    ex.getResponseBody().write(body);
                } else {
                    ex.sendResponseHeaders(204, -1);
                }
            } finally {
                ex.close();
            }
        });
        server.start();
    }

    String writeUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/api/v1/write";
    }

    void rejecting(boolean on) {
        rejecting = on;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
