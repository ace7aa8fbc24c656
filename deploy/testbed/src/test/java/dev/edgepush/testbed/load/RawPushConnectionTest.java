package dev.edgepush.testbed.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The bench's raw client against the JDK's HTTP server: answers of each shape, kept alive or not. */
class RawPushConnectionTest {
    private HttpServer server;
    private final List<Integer> clientPorts = new CopyOnWriteArrayList<>();
    private final List<String> bodies = new CopyOnWriteArrayList<>();
    private URI uri;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/v1/write", this::answer);
        server.start();
        uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/api/v1/write");
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    /** 204 for "ok", 400 with a text body for "bad", 200 chunked for "chunked". */
    private void answer(HttpExchange ex) throws IOException {
        clientPorts.add(ex.getRemoteAddress().getPort());
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.US_ASCII);
        bodies.add(body + " " + ex.getRequestHeaders().getFirst("Authorization"));
        switch (body) {
            case "bad" -> {
                byte[] msg = "cannot parse".getBytes(StandardCharsets.US_ASCII);
                ex.sendResponseHeaders(400, msg.length);
                try (OutputStream o = ex.getResponseBody()) {
                    o.write(msg);
                }
            }
            case "chunked" -> {
                ex.sendResponseHeaders(200, 0);
                try (OutputStream o = ex.getResponseBody()) {
                    o.write("a chunked answer".getBytes(StandardCharsets.US_ASCII));
                }
            }
            default -> {
                ex.sendResponseHeaders(204, -1);
                ex.close();
            }
        }
    }

    @Test
    void keptAliveEveryAnswerIsReadToItsEndAndTheConnectionReused() throws IOException {
        try (RawPushConnection c = new RawPushConnection(uri, "t0k", true)) {
            assertEquals(204, c.post(bytes("ok")));
            assertEquals(400, c.post(bytes("bad")));
            assertEquals(200, c.post(bytes("chunked")));
            assertEquals(204, c.post(bytes("ok")));
        }
        assertEquals(List.of("ok Bearer t0k", "bad Bearer t0k", "chunked Bearer t0k", "ok Bearer t0k"), bodies);
        assertEquals(1, clientPorts.stream().distinct().count(), clientPorts.toString());
    }

    @Test
    void withoutKeepAliveEachRequestHasItsOwnConnection() throws IOException {
        try (RawPushConnection c = new RawPushConnection(uri, "t0k", false)) {
            assertEquals(204, c.post(bytes("ok")));
            assertEquals(400, c.post(bytes("bad")));
            assertEquals(204, c.post(bytes("ok")));
        }
        assertEquals(3, clientPorts.size());
        assertNotEquals(clientPorts.get(0), clientPorts.get(1));
        assertNotEquals(clientPorts.get(1), clientPorts.get(2));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
