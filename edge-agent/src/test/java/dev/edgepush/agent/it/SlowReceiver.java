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
 * A remote-write receiver that decodes what it gets and answers 204 only after {@code delayMs},
 * so a test can kill the agent while a push is in flight.
 */
final class SlowReceiver implements AutoCloseable {
    private final HttpServer server;
    /** Every {@code test_seq} value received -> its timestamp (the scrape's start). */
    final Map<Long, Long> seqs = new ConcurrentHashMap<>();
    /** Timestamps of every {@code up 0} received: scrapes the agent recorded as failed. */
    final Set<Long> upZeroMs = ConcurrentHashMap.newKeySet();

    final AtomicLong samples = new AtomicLong();
    final AtomicLong requests = new AtomicLong();

    SlowReceiver(long delayMs) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(2));
        server.createContext("/api/v1/write", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            RemoteWrite.WriteRequest req = RemoteWrite.WriteRequest.parseFrom(Snappy.uncompress(body));
            AgentProcess.pause(delayMs);
            for (RemoteWrite.TimeSeries ts : req.getTimeseriesList()) {
                samples.addAndGet(ts.getSamplesCount());
                boolean up = ts.getLabelsList().stream()
                        .anyMatch(l ->
                                l.getName().equals("__name__") && l.getValue().equals("up"));
                if (up) {
                    ts.getSamplesList().stream()
                            .filter(x -> x.getValue() == 0)
                            .forEach(x -> upZeroMs.add(x.getTimestamp()));
                }
                boolean seq = ts.getLabelsList().stream()
                        .anyMatch(l ->
                                l.getName().equals("__name__") && l.getValue().equals("test_seq"));
                if (seq) {
                    for (RemoteWrite.Sample s : ts.getSamplesList()) {
                        if (!Double.isNaN(s.getValue())) {
                            seqs.putIfAbsent((long) s.getValue(), s.getTimestamp());
                        }
                    }
                }
            }
            requests.incrementAndGet();
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/api/v1/write";
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
