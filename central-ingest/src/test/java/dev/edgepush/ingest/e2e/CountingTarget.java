package dev.edgepush.ingest.e2e;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A scrape target that numbers its answers: each /metrics response is {@code test_seq N}, and N
 * is recorded once the response was written in full. Loss is then computed, not guessed.
 */
final class CountingTarget implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService executor = Executors.newSingleThreadExecutor();
    private final AtomicLong seq = new AtomicLong();
    private final Set<Long> answered = new ConcurrentSkipListSet<>();
    private volatile boolean serving = true;

    CountingTarget() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(executor);
        server.createContext("/metrics", ex -> {
            if (!serving) {
                ex.sendResponseHeaders(503, -1);
                ex.close();
                return;
            }
            long n = seq.incrementAndGet();
            byte[] body = ("# TYPE test_seq gauge\ntest_seq " + n + "\n").getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4");
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(body);
            }
            answered.add(n);
        });
        server.start();
    }

    /** host:port, as a scrape config's target and the stored {@code instance} label. */
    String address() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    /** The N of every scrape answered in full so far. */
    Set<Long> answered() {
        return new TreeSet<>(answered);
    }

    /** From now on answer 503: no new samples, so the answered set stops growing. */
    void stopServing() {
        serving = false;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
