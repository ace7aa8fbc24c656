package dev.edgepush.agent.it;

import com.sun.net.httpserver.HttpServer;
import dev.edgepush.proto.rw1.RemoteWrite;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.xerial.snappy.Snappy;

/**
 * A remote-write receiver that can be "down" (every request answered 503 with {@code Retry-After:
 * 1}, nothing kept) and, when up, decodes each request, holds it {@code delayMs} (a slow link, so a
 * backlog takes a while to drain) and answers 204. It records when each {@code test_seq} value
 * first arrived and how many times it arrived in all (duplicates).
 */
final class OutageReceiver implements AutoCloseable {
    private final HttpServer server;
    private final long delayMs;
    volatile boolean up = true;
    /** Every {@code test_seq} value received -> its timestamp (the scrape's start). */
    final Map<Long, Long> seqs = new ConcurrentHashMap<>();
    /** Every {@code test_seq} value received -> wall-clock ms of its first arrival. */
    final Map<Long, Long> arrivedMs = new ConcurrentHashMap<>();
    /** Every {@code test_seq} value received -> how many pushes carried it. */
    final Map<Long, Integer> times = new ConcurrentHashMap<>();
    /** Timestamps of every {@code up 0} received: scrapes the agent recorded as failed. */
    final Set<Long> upZeroMs = ConcurrentHashMap.newKeySet();
    /** Wall-clock ms of the first 204 since {@link #up} was last set true; 0 before. */
    final AtomicLong firstOkMs = new AtomicLong();

    final AtomicLong requests = new AtomicLong();

    OutageReceiver(long delayMs) throws IOException {
        this.delayMs = delayMs;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(2));
        server.createContext("/api/v1/write", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            requests.incrementAndGet();
            if (!up) {
                ex.getResponseHeaders().add("Retry-After", "1");
                ex.sendResponseHeaders(503, -1);
                ex.close();
                return;
            }
            RemoteWrite.WriteRequest req = RemoteWrite.WriteRequest.parseFrom(Snappy.uncompress(body));
            AgentProcess.pause(delayMs);
            long now = System.currentTimeMillis();
            for (RemoteWrite.TimeSeries ts : req.getTimeseriesList()) {
                String name = ts.getLabelsList().stream()
                        .filter(l -> l.getName().equals("__name__"))
                        .map(RemoteWrite.Label::getValue)
                        .findFirst()
                        .orElse("");
                for (RemoteWrite.Sample s : ts.getSamplesList()) {
                    if (name.equals("up") && s.getValue() == 0) {
                        upZeroMs.add(s.getTimestamp());
                    } else if (name.equals("test_seq") && !Double.isNaN(s.getValue())) {
                        long seq = (long) s.getValue();
                        seqs.putIfAbsent(seq, s.getTimestamp());
                        arrivedMs.putIfAbsent(seq, now);
                        times.merge(seq, 1, Integer::sum);
                    }
                }
            }
            firstOkMs.compareAndSet(0, now);
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        server.start();
    }

    /** Brings the receiver back; {@link #firstOkMs} then notes the first 204. */
    void comeUp() {
        firstOkMs.set(0);
        up = true;
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/api/v1/write";
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
