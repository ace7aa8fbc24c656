package dev.edgepush.testsupport;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A scrape target on a loopback port that numbers its answers: each {@code /metrics} response
 * carries the gauge {@code test_seq N} (plus {@code fillerSeries} series {@code test_filler{idx="i"}}
 * with value {@code N*1000+i}), and the target remembers when each N was answered in full. Loss is
 * then computed, not guessed.
 */
public final class CountingTarget implements AutoCloseable {
    /** seq -> {@link System#nanoTime} when its response was completely written. */
    public final ConcurrentSkipListMap<Long, Long> answered = new ConcurrentSkipListMap<>();
    /** seq -> wall-clock ms when its request arrived, to match it with the scraper's own records. */
    public final Map<Long, Long> requestedAtMs = new ConcurrentSkipListMap<>();
    /**
     * Wall-clock ms of every request's arrival, answered or 503: when the scraper came, whatever
     * became of the scrape. A pause in these is a pause in the scraper's scheduling.
     */
    public final Queue<Long> arrivalsMs = new ConcurrentLinkedQueue<>();

    private final HttpServer server;
    private final ExecutorService executor = Executors.newSingleThreadExecutor();
    private final AtomicLong seq = new AtomicLong();
    private volatile boolean serving = true;

    /** Answers {@code test_seq} alone. */
    public CountingTarget() throws IOException {
        this(0);
    }

    /** Answers {@code test_seq} and {@code fillerSeries} other series. */
    public CountingTarget(int fillerSeries) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(executor);
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
    public long lastAnswered() {
        return answered.isEmpty() ? 0 : answered.lastKey();
    }

    /** The N of every scrape answered in full so far, a sorted copy. */
    public Set<Long> answeredSeqs() {
        return new TreeSet<>(answered.keySet());
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** host:port, as a scrape config's target and the stored {@code instance} label. */
    public String address() {
        return "127.0.0.1:" + port();
    }

    /** From now on answer 503: no new samples, so the test can wait for a drained buffer. */
    public void stopServing() {
        serving = false;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
