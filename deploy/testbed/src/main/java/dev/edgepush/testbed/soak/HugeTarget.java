package dev.edgepush.testbed.soak;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The abuse suite's huge scrape target on 127.0.0.1: serves the body given to {@link #serve} at
 * {@code /metrics} (10^6 series, {@code h1000000} and on, during its attack), or no series when
 * none is set.
 */
final class HugeTarget implements AutoCloseable {
    private final HttpServer server;
    private volatile byte[] hugeBody;
    private final AtomicInteger hugeScrapes = new AtomicInteger();

    private HugeTarget(HttpServer server) {
        this.server = server;
    }

    static HugeTarget start() throws IOException {
        HugeTarget t = new HugeTarget(HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0));
        t.server.createContext("/metrics", t::handle);
        t.server.start();
        return t;
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** Serves {@code body} from now on; {@code null} for no series. */
    void serve(byte[] body) {
        hugeBody = body;
    }

    /** How many scrapes got a body. */
    int scrapes() {
        return hugeScrapes.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange ex) throws IOException {
        byte[] body = hugeBody;
        ex.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4");
        if (body == null) {
            ex.sendResponseHeaders(200, -1);
            ex.close();
            return;
        }
        hugeScrapes.incrementAndGet();
        ex.sendResponseHeaders(200, body.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(body);
        } catch (IOException e) {
            // the agent gave up on it: its answer says so
        }
        ex.close();
    }
}
