package dev.edgepush.agent.it;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A scrape target that numbers its answers: each /metrics response carries {@code test_seq N}
 * (plus {@code fillerSeries} other series) and the target remembers when each N was answered
 * in full. Loss is then computed, not guessed.
 */
final class CountingTarget implements AutoCloseable {
    private final HttpServer server;
    private final AtomicLong seq = new AtomicLong();
    /** seq -> nanoTime when its response was completely written. */
    final ConcurrentSkipListMap<Long, Long> answered = new ConcurrentSkipListMap<>();
    /** seq -> wall-clock ms when its request arrived, to match it with the agent's own records. */
    final Map<Long, Long> requestedAtMs = new ConcurrentSkipListMap<>();
    /**
     * Wall-clock ms of every request's arrival, answered or 503: when the agent came to scrape,
     * whatever became of the scrape. A pause in these is a pause in the agent's scheduling.
     */
    final java.util.concurrent.ConcurrentLinkedQueue<Long> arrivalsMs =
            new java.util.concurrent.ConcurrentLinkedQueue<>();

    private volatile boolean serving = true;

    CountingTarget(int fillerSeries) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newSingleThreadExecutor());
        server.createContext("/metrics", ex -> {
            arrivalsMs.add(System.currentTimeMillis());
            if (!serving) {
                ex.sendResponseHeaders(503, -1);
                ex.close();
                return;
            }
            long n = seq.incrementAndGet();
            requestedAtMs.put(n, System.currentTimeMillis());
            StringBuilder sb = new StringBuilder("# TYPE test_seq gauge\ntest_seq ")
                    .append(n)
                    .append('\n');
            for (int i = 0; i < fillerSeries; i++) {
                sb.append("test_filler{idx=\"")
                        .append(i)
                        .append("\"} ")
                        .append(n * 1000 + i)
                        .append('\n');
            }
            byte[] body = sb.toString().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4");
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(body);
            }
            answered.put(n, System.nanoTime());
        });
        server.start();
    }

    /** The highest seq answered in full so far (0 if none). */
    long lastAnswered() {
        return answered.isEmpty() ? 0 : answered.lastKey();
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** From now on answer 503: no new samples, so the test can wait for a drained buffer. */
    void stopServing() {
        serving = false;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
