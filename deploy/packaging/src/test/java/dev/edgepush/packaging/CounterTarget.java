package dev.edgepush.packaging;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/** A scrape target whose counter {@code pkg_test_scrapes} is the number of scrapes it has answered. */
final class CounterTarget implements AutoCloseable {
    private final HttpServer server;
    private final AtomicLong served = new AtomicLong();

    CounterTarget() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/metrics", ex -> {
            byte[] body;
            synchronized (served) {
                body = ("# TYPE pkg_test_scrapes counter\npkg_test_scrapes " + served.incrementAndGet() + "\n")
                        .getBytes(StandardCharsets.UTF_8);
            }
            ex.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4");
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    String address() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    long served() {
        return served.get();
    }

    /** A scrape config with this target every second. */
    String scrapeConfig() {
        return "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: pkgtest\n    static_configs:\n"
                + "      - targets: [\"" + address() + "\"]\n";
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
